// Why the datapath allows or drops a connection: for each side this node holds (the source's
// egress, the destination's ingress), the lookup of lookup.ts over the compiled entries, the
// policies that made the endpoint default-deny, the rules behind the deciding entry, and what is
// missing when nothing allows. Pure: the agent answers from its live compiler, `policy explain
// --policies` from one compiled offline; both hand a CompiledPolicies.
import type { ExplainDirection, ExplainPeer, ExplainProbe, ExplainRule, NotEnforced, PolicyExplanation } from '../../api/status/explain.ts';
import { PROTO, type PolicyEntry } from './entries.ts';
import { entryFinder, lookupPolicy, policyPort, type ProbeResult } from './lookup.ts';
import { formatSelector } from './selector.ts';
import type { Direction, L4Rule, Peer, PeerRule, PolicyRef } from './types.ts';

/** What explain reads of a compiler (PolicyCompiler has both). */
export interface CompiledPolicies {
  group(endpointId: number, dir: Direction): { entries: readonly PolicyEntry[]; enforcers: readonly PolicyRef[] };
  matchingPeerRules(ref: PolicyRef, endpointId: number, dir: Direction, remote: number, protocol: number, port: number, deny: boolean): PeerRule[];
}

/** A side as resolved on this node; endpointId when the pod is a local endpoint. */
export interface ExplainSide extends ExplainPeer {
  readonly endpointId?: number;
}

export interface ExplainInput {
  readonly compiled: CompiledPolicies;
  readonly node: string;
  readonly source: ExplainSide;
  readonly destination: ExplainSide;
  /** TCP, UDP, SCTP, ICMP or ICMPv6. */
  readonly protocol: string;
  /** The destination port, or the ICMP type. */
  readonly port: number;
  /** The cookie the datapath holds for an entry (agent/datapath/rule-ids.ts). */
  readonly ruleId: (deny: boolean, policies: readonly PolicyRef[]) => number;
  readonly notEnforced: readonly NotEnforced[];
}

export const EXPLAIN_PROTOCOLS: Readonly<Record<string, number>> = { TCP: PROTO.tcp, UDP: PROTO.udp, SCTP: PROTO.sctp, ICMP: PROTO.icmp, ICMPV6: PROTO.icmpv6 };

export const policyName = (r: PolicyRef): string => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

export function explain(input: ExplainInput): PolicyExplanation {
  const protocol = EXPLAIN_PROTOCOLS[input.protocol.toUpperCase()];
  if (protocol === undefined) throw new Error(`protocol ${JSON.stringify(input.protocol)}: use one of ${Object.keys(EXPLAIN_PROTOCOLS).join(', ')}`);
  const port = policyPort(protocol, input.port, input.port);
  const directions: ExplainDirection[] = [];
  const { source: src, destination: dst } = input;
  if (src.endpointId !== undefined) directions.push(side(input, 'egress', src.endpointId, src, dst.identity, protocol, port));
  if (dst.endpointId !== undefined) directions.push(side(input, 'ingress', dst.endpointId, dst, src.identity, protocol, port));
  const peer = ({ endpointId: _, ...p }: ExplainSide): ExplainPeer => p;
  return {
    source: peer(src), destination: peer(dst), protocol: input.protocol.toUpperCase(), port: input.port,
    verdict: directions.every((d) => d.verdict === 'ALLOWED') ? 'ALLOWED' : 'DENIED',
    directions, unjudged: [], notEnforced: input.notEnforced,
  };
}

function side(input: ExplainInput, dir: Direction, endpointId: number, ep: ExplainPeer, remote: number, protocol: number, port: number): ExplainDirection {
  const { entries, enforcers } = input.compiled.group(endpointId, dir);
  const r = lookupPolicy(entryFinder(entries), enforcers.length > 0, remote, protocol, port);
  const probe = (p: ProbeResult): ExplainProbe => ({
    match: p.match,
    key: p.entry
      ? { endpointId, direction: dir, remoteIdentity: p.remoteIdentity, protocol: p.entry.protocol, port: p.entry.port, portBits: p.entry.portBits }
      : { endpointId, direction: dir, remoteIdentity: p.remoteIdentity, protocol: p.protocol, port: p.port },
    ...(p.entry && { value: { action: p.entry.deny ? 'deny' as const : p.entry.proxy ? 'proxy' as const : 'allow' as const, ruleId: input.ruleId(p.entry.deny, p.entry.policies), policies: p.entry.policies.map(policyName) } }),
  });
  const probes = r.probes.map(probe);
  const decidedBy = r.entry && probes.find((p) => p.match === r.match);
  const rules: ExplainRule[] = r.entry
    ? r.entry.policies.flatMap((ref) => input.compiled.matchingPeerRules(ref, endpointId, dir, remote, protocol, port, r.entry!.deny)
      .map((pr) => ({ policy: policyName(ref), action: r.entry!.deny ? 'deny' as const : 'allow' as const, rule: formatPeerRule(dir, pr) })))
    : [];
  const other = dir === 'egress' ? input.destination : input.source;
  const l4 = `${input.port}/${input.protocol.toUpperCase()}`;
  return {
    direction: dir, node: input.node, endpointId, endpoint: ep.pod ?? ep.input, remoteIdentity: remote,
    enforced: enforcers.length > 0, selectedBy: enforcers.map(policyName),
    verdict: r.allowed ? 'ALLOWED' : 'DENIED', reason: r.reason, probes,
    ...(decidedBy && { decidedBy }),
    rules,
    ...(r.reason === 'no-allow' && {
      missing: `no ${dir} allow for ${other.pod ?? other.input} (identity ${remote}) ${dir === 'egress' ? 'to' : 'on'} ${l4}: none of ${enforcers.map(policyName).join(', ')} allows it; add a rule that does`,
    }),
  };
}

function peerText(p: Peer): string {
  switch (p.kind) {
    case 'endpoints': return `endpoints{${formatSelector(p.selector)}}`;
    case 'entity': return `entity:${p.entity}`;
    case 'cidr': return p.except.length ? `${p.cidr} except ${p.except.join(',')}` : p.cidr;
    case 'nodes': return `nodes{${formatSelector(p.selector)}}`;
    case 'service': return `service ${p.namespace}/${p.name}`;
    case 'service-selector': return `services{${formatSelector(p.selector)}}${p.namespace ? ` in ${p.namespace}` : ''}`;
    case 'fqdn': return `fqdn{${p.selectors.map((x) => x.matchName ?? x.matchPattern).join(',')}}`;
  }
}

function l4Text(l: L4Rule): string {
  if (l.kind === 'icmp') return `icmp${l.family === 6 ? 'v6' : ''} type ${l.type}`;
  const port = l.port === 0 ? 'any' : `${l.port}${l.endPort ? `-${l.endPort}` : ''}`;
  return `${port}/${l.protocol}${l.l7?.http ? ' (http rules)' : l.l7?.dns ? ' (dns rules)' : ''}`;
}

/** `ingress from [endpoints{k8s:org=empire}] to ports [80/TCP]` */
export function formatPeerRule(dir: Direction, pr: PeerRule): string {
  const peers = pr.peers === 'any' ? 'any peer' : `[${pr.peers.map(peerText).join('; ')}]`;
  const ports = pr.l4 === 'any' ? 'any port' : `ports [${pr.l4.map(l4Text).join(', ')}]`;
  return `${dir} ${dir === 'ingress' ? 'from' : 'to'} ${peers} ${ports}`;
}
