// The pieces of a printed flow, as hubble's printer (hubble/pkg/printer/printer.go) builds them:
// host names (pod, service, DNS name or IP, with the port), identities, the TYPE column and the
// verdict.
import type { Endpoint, Flow, Service } from '../types.ts';
import { EventType, L7FlowType, TrafficDirection, Verdict } from '../types.ts';
import { RESERVED_IDENTITY, dropReasonText, enumName, policyMatchName, tracePointName } from '../names.ts';
import type { Colorer } from './color.ts';

function ports(flow: Flow): [string, string] {
  const l4 = flow.l4?.TCP ?? flow.l4?.UDP ?? flow.l4?.SCTP;
  if (!l4) return ['', ''];
  return [String(l4.source_port ?? 0), String(l4.destination_port ?? 0)];
}

/** Go's net.JoinHostPort: IPv6 literals (any host with a colon) go in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

interface End { ip: string; port: string; ep?: Endpoint | undefined; svc?: Service | undefined; names?: string[] | undefined }

function hostname(e: End, c: Colorer, translate: boolean): string {
  let host = e.ip;
  if (translate) {
    // A service's namespace wins over the pod's, as hubble takes the last one it sees.
    const ns = e.svc ? (e.svc.namespace ?? '') : (e.ep?.namespace ?? '');
    const join = (name: string): string => (ns ? `${ns}/${name}` : name);
    if (e.ep?.pod_name) host = join(e.ep.pod_name);
    else if (e.svc?.name) host = join(e.svc.name);
    else if (e.names?.length) host = e.names.join(',');
  }
  return e.port !== '' && e.port !== '0' ? joinHostPort(host, c.port(e.port)) : host;
}

/** Source and destination as `ns/pod:port`, `ns/svc:port`, DNS names or the IP (`[ip6]:port`). */
export function hostNames(flow: Flow, c: Colorer, translate = true): [string, string] {
  if (!flow.IP) {
    if (!flow.ethernet) return ['', ''];
    return [c.host(flow.ethernet.source ?? ''), c.host(flow.ethernet.destination ?? '')];
  }
  const [sp, dp] = ports(flow);
  return [
    c.host(hostname({ ip: flow.IP.source ?? '', port: sp, ep: flow.source, svc: flow.source_service, names: flow.source_names }, c, translate)),
    c.host(hostname({ ip: flow.IP.destination ?? '', port: dp, ep: flow.destination, svc: flow.destination_service, names: flow.destination_names }, c, translate)),
  ];
}

/** `(ID:16092)`, or the reserved identity's name: `(world)`, `(host)`, `(unknown)` for 0. */
export function formatIdentity(id: number | undefined, c: Colorer): string {
  const n = id ?? 0;
  const reserved = RESERVED_IDENTITY[n];
  return c.identity(reserved ? `(${reserved})` : `(ID:${n})`);
}

/** The TYPE column: L7 kind, observation point, drop reason or policy verdict. */
export function flowType(flow: Flow): string {
  const l7 = flow.l7;
  if (l7) {
    const kind = enumName(L7FlowType, l7.type).toLowerCase();
    if (l7.http) return `http-${kind}`;
    // DNS names its observation source too; hubble adds the space even when there is none.
    if (l7.dns) return `dns-${kind} ${l7.dns.observation_source ?? ''}`;
    return `l7-${kind}`;
  }
  const e = flow.event_type;
  const sub = (e?.sub_type ?? 0) & 0xff; // the datapath's sub types are one byte
  switch (e?.type ?? 0) {
    case EventType.TRACE: return tracePointName(sub);
    case EventType.DROP: return dropReasonText(sub);
    case EventType.POLICY_VERDICT:
      return `policy-verdict:${policyMatchName(flow.policy_match_type)} ${enumName(TrafficDirection, flow.traffic_direction)}`;
    default: return 'UNKNOWN';
  }
}

/** The verdict; policy-verdict events say ALLOWED, DENIED or AUDITED instead. */
/** ` BY name (Kind), …` for the policies of the flow's direction, as hubble --print-policy-names appends. */
export function policyNamesSuffix(flow: Flow, which: 'allowed' | 'denied'): string {
  const egress = flow.traffic_direction === TrafficDirection.EGRESS;
  const ingress = flow.traffic_direction === TrafficDirection.INGRESS;
  const list = which === 'allowed'
    ? (egress ? flow.egress_allowed_by : ingress ? flow.ingress_allowed_by : undefined)
    : (egress ? flow.egress_denied_by : ingress ? flow.ingress_denied_by : undefined);
  const named = (list ?? []).filter((p) => p.kind && p.name).map((p) => `${p.name} (${p.kind})`);
  return named.length ? ` BY ${named.join(', ')}` : '';
}

export function formatVerdict(flow: Flow, c: Colorer, policyNames = false): string {
  const v = flow.verdict ?? Verdict.VERDICT_UNKNOWN;
  const pv = flow.event_type?.type === EventType.POLICY_VERDICT;
  const name = enumName(Verdict, v);
  const by = (which: 'allowed' | 'denied'): string => (pv && policyNames ? policyNamesSuffix(flow, which) : '');
  switch (v) {
    case Verdict.FORWARDED: case Verdict.REDIRECTED: return c.paint('green', pv ? `ALLOWED${by('allowed')}` : name);
    case Verdict.DROPPED: case Verdict.ERROR: return c.paint('red', pv ? `DENIED${by('denied')}` : name);
    case Verdict.AUDIT: return c.paint('yellow', pv ? `AUDITED${by('denied')}` : name);
    case Verdict.TRACED: case Verdict.TRANSLATED: return c.paint('yellow', name);
    default: return name;
  }
}
