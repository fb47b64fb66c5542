// Which flows an action produced, and whether they prove the expected outcome: an allowed TCP
// connection shows SYN, SYN-ACK and FIN in that order, all FORWARDED; a denied one shows a
// DROPPED request with a policy reason naming the policy. Pure: flows in, problems out.
import { DropReason, FlowType, Verdict, type Flow, type FlowFilter, type Policy } from '../../api/types.ts';
import type { Action, Expectation, ProbeResult } from './types.ts';

export type FlowValidationMode = 'strict' | 'warning' | 'disabled';
export const FLOW_VALIDATION_MODES: readonly FlowValidationMode[] = ['strict', 'warning', 'disabled'];

export type L4Proto = 'TCP' | 'UDP' | 'ICMP';

/** The two ends of an action as flows show them. */
export interface FlowSides {
  protocol: L4Proto;
  sourceIPs: ReadonlySet<string>;
  destinationIPs: ReadonlySet<string>;
  /** The client's port, when the probe reported it: ties flows to this very connection. */
  sourcePort?: number;
}

/** `::ffff:10.0.0.1` (a dual-stack socket's view of IPv4) is 10.0.0.1 in flows. */
export const normalizeIP = (ip: string): string => (ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip);

export function protocolOf(kind: Action['probe']['kind']): L4Proto {
  return kind === 'tcp' || kind === 'http' ? 'TCP' : kind === 'icmp' ? 'ICMP' : 'UDP';
}

export function flowSides(action: Action, result: ProbeResult | undefined): FlowSides {
  const src = new Set(action.source.ips.map(normalizeIP));
  const dst = new Set(action.destination.ips.map(normalizeIP));
  if (result?.localAddress) src.add(normalizeIP(result.localAddress));
  if (result?.remoteAddress) dst.add(normalizeIP(result.remoteAddress));
  const sides: FlowSides = { protocol: protocolOf(action.probe.kind), sourceIPs: src, destinationIPs: dst };
  return result?.localPort ? { ...sides, sourcePort: result.localPort } : sides;
}

/** The filters to ask the flow source with: both directions between the two sides. */
export function flowFilters(sides: FlowSides): FlowFilter[] {
  const s = [...sides.sourceIPs];
  const d = [...sides.destinationIPs];
  return [
    { source_ip: s, destination_ip: d },
    { source_ip: d, destination_ip: s },
  ];
}

function ports(flow: Flow): { sport?: number; dport?: number; proto?: L4Proto } {
  const l4 = flow.l4;
  if (l4?.TCP) return { sport: l4.TCP.source_port ?? 0, dport: l4.TCP.destination_port ?? 0, proto: 'TCP' };
  if (l4?.UDP) return { sport: l4.UDP.source_port ?? 0, dport: l4.UDP.destination_port ?? 0, proto: 'UDP' };
  if (l4?.ICMPv4 || l4?.ICMPv6) return { proto: 'ICMP' };
  return {};
}

/** `request` for source→destination, `reply` for the way back, undefined when unrelated. */
export function flowDirection(flow: Flow, sides: FlowSides): 'request' | 'reply' | undefined {
  const { sport, dport, proto } = ports(flow);
  if (proto !== sides.protocol) return undefined;
  const src = normalizeIP(flow.IP?.source ?? '');
  const dst = normalizeIP(flow.IP?.destination ?? '');
  const p = sides.sourcePort;
  if (sides.sourceIPs.has(src) && sides.destinationIPs.has(dst) && (p === undefined || sport === undefined || sport === p)) return 'request';
  if (sides.destinationIPs.has(src) && sides.sourceIPs.has(dst) && (p === undefined || dport === undefined || dport === p)) return 'reply';
  return undefined;
}

const timeOf = (f: Flow): number => (f.time?.seconds ?? 0) * 1e9 + (f.time?.nanos ?? 0);

/** The action's flows, oldest first (stable for equal times). */
export function relatedFlows(flows: readonly Flow[], sides: FlowSides): Flow[] {
  return flows
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => flowDirection(f, sides) !== undefined)
    .sort((a, b) => timeOf(a.f) - timeOf(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

const isForwarded = (f: Flow) => f.verdict === Verdict.FORWARDED;
const isL34 = (f: Flow) => f.Type === undefined || f.Type === FlowType.L3_L4;
const policyNames = (ps: Policy[] | undefined) => (ps ?? []).map((p) => p.name ?? '');

/** The policies a DROPPED flow names as denying it (either side). */
export const deniedBy = (f: Flow): string[] => [...policyNames(f.ingress_denied_by), ...policyNames(f.egress_denied_by)].filter(Boolean);

/**
 * The action's request packets the datapath dropped. Once one is seen the outcome is decided:
 * waiting for more flows, or probing again, cannot turn that connection into a success.
 */
export function requestDrops(flows: readonly Flow[], sides: FlowSides): Flow[] {
  return relatedFlows(flows, sides).filter((f) => f.verdict === Verdict.DROPPED && flowDirection(f, sides) === 'request');
}

/** Problems with the flows of an action given its expectation; empty when they prove it. */
export function validateFlows(action: Action, expectation: Expectation, result: ProbeResult | undefined, flows: readonly Flow[]): string[] {
  const sides = flowSides(action, result);
  const related = relatedFlows(flows, sides);
  const dir = (f: Flow) => flowDirection(f, sides);
  if (expectation.outcome === 'drop') return validateDrop(expectation, related.filter((f) => dir(f) === 'request'));

  const problems: string[] = [];
  for (const f of related.filter((x) => x.verdict === Verdict.DROPPED)) {
    const by = deniedBy(f);
    problems.push(`unexpected DROPPED flow (${dropName(f.drop_reason_desc)}${by.length ? ` by ${by.join(', ')}` : ''})`);
  }
  const l34 = related.filter((f) => isL34(f) && isForwarded(f));
  if (sides.protocol === 'TCP') problems.push(...tcpHandshake(l34, dir));
  else {
    // A datagram whose payload the datapath decodes (DNS) is reported as an L7 flow rather than a
    // trace: either is the datapath having forwarded that packet.
    const seen = related.filter(isForwarded);
    if (!seen.some((f) => dir(f) === 'request')) problems.push(`no FORWARDED ${sides.protocol} flow from ${action.source.name} to ${action.destination.name}`);
    if (!seen.some((f) => dir(f) === 'reply')) problems.push(`no FORWARDED ${sides.protocol} reply from ${action.destination.name} to ${action.source.name}`);
  }
  if (expectation.l7) problems.push(...l7Problems(expectation.l7, related));
  return problems;
}

function tcpHandshake(flows: Flow[], dir: (f: Flow) => 'request' | 'reply' | undefined): string[] {
  const flags = (f: Flow) => f.l4?.TCP?.flags ?? {};
  const syn = flows.findIndex((f) => dir(f) === 'request' && flags(f).SYN && !flags(f).ACK);
  if (syn < 0) return ['no FORWARDED SYN from the client'];
  const synAck = flows.findIndex((f, i) => i > syn && dir(f) === 'reply' && flags(f).SYN && flags(f).ACK);
  if (synAck < 0) return ['no FORWARDED SYN-ACK after the SYN'];
  const fin = flows.findIndex((f, i) => i > synAck && flags(f).FIN);
  if (fin < 0) return ['no FORWARDED FIN after the SYN-ACK'];
  return [];
}

const dropName = (r: number | undefined): string => {
  for (const [k, v] of Object.entries(DropReason)) if (v === r) return k;
  return `reason ${r ?? 0}`;
};

function validateDrop(e: Extract<Expectation, { outcome: 'drop' }>, requests: Flow[]): string[] {
  const drops = requests.filter((f) => f.verdict === Verdict.DROPPED);
  if (drops.length === 0) {
    const fwd = requests.filter(isForwarded).length;
    return [`no DROPPED flow for the request${fwd ? ` (${fwd} FORWARDED)` : ''}`];
  }
  const wanted = new Set<number>(e.reasons.map((r) => DropReason[r]));
  const byReason = drops.filter((f) => wanted.has(f.drop_reason_desc ?? 0));
  if (byReason.length === 0) {
    return [`DROPPED with ${[...new Set(drops.map((f) => dropName(f.drop_reason_desc)))].join(', ')}, expected ${e.reasons.join(' or ')}`];
  }
  if (e.policy === undefined) return [];
  const named = byReason.filter((f) => [...policyNames(f.ingress_denied_by), ...policyNames(f.egress_denied_by)].includes(e.policy!));
  if (named.length > 0) return [];
  const seen = [...new Set(byReason.flatMap((f) => [...policyNames(f.ingress_denied_by), ...policyNames(f.egress_denied_by)]))];
  return [`no drop names policy ${e.policy}${seen.length ? ` (denied by ${seen.join(', ')})` : ' (no denying policy in the flows)'}`];
}

const stripDot = (s: string) => s.replace(/\.$/, '').toLowerCase();

function l7Problems(l7: NonNullable<Extract<Expectation, { outcome: 'success' }>['l7']>, flows: Flow[]): string[] {
  const l7Flows = flows.filter((f) => f.Type === FlowType.L7 && f.l7);
  const problems: string[] = [];
  if (l7.http) {
    const { method, path, code } = l7.http;
    const http = l7Flows.map((f) => f.l7!.http).filter((h) => h !== undefined);
    const pathOf = (url: string | undefined) => { try { return new URL(url ?? '', 'http://x').pathname; } catch { return url ?? ''; } };
    if (!http.some((h) => h.method === method && pathOf(h.url) === path)) problems.push(`no L7 HTTP flow for ${method} ${path}`);
    if (!http.some((h) => h.code === code)) problems.push(`no L7 HTTP flow with status ${code}`);
  }
  if (l7.dns) {
    const q = stripDot(l7.dns.query);
    if (!l7Flows.some((f) => f.l7!.dns && stripDot(f.l7!.dns.query ?? '') === q)) problems.push(`no L7 DNS flow for ${l7.dns.query}`);
  }
  return problems;
}
