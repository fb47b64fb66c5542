// The pieces of a printed flow, as hubble's printer builds them: timestamp, host names (pod,
// service, DNS name or IP, with the port), identities, the event type column and the verdict.
import type { Endpoint, Flow, Timestamp } from '../types.ts';
import { EventType, TrafficDirection, Verdict } from '../types.ts';
import {
  MIN_ALLOCATED_IDENTITY, RESERVED_IDENTITY, dropReasonText, enumName, policyMatchName, tracePointName,
} from '../names.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** Go's time.StampMilli (`Jan _2 15:04:05.000`), hubble's default; in UTC or local time. */
export function formatTime(ts: Timestamp | undefined, utc: boolean): string {
  if (!ts) return 'N/A';
  const d = new Date((ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6));
  const [mon, day, h, m, s] = utc
    ? [d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const ms = String(Math.floor((ts.nanos ?? 0) / 1e6)).padStart(3, '0');
  return `${MONTHS[mon]} ${String(day).padStart(2, ' ')} ${p2(h)}:${p2(m)}:${p2(s)}.${ms}`;
}

function ports(flow: Flow): [string, string] {
  const l4 = flow.l4?.TCP ?? flow.l4?.UDP ?? flow.l4?.SCTP;
  return [String(l4?.source_port ?? ''), String(l4?.destination_port ?? '')];
}

function joinHostPort(host: string, port: string): string {
  if (port === '' || port === '0') return host;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function hostname(ip: string, port: string, ep: Endpoint | undefined, svc: { name?: string; namespace?: string } | undefined, names: string[] | undefined): string {
  let host = ip;
  const join = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);
  if (ep?.pod_name) host = join(ep.namespace, ep.pod_name);
  else if (svc?.name) host = join(svc.namespace, svc.name);
  else if (names && names.length > 0) host = names.join(',');
  return joinHostPort(host, port);
}

/** Source and destination as `ns/pod:port`, `ns/svc:port`, a DNS name or an IP. */
export function hostNames(flow: Flow): [string, string] {
  if (!flow.IP) return [flow.ethernet?.source ?? '', flow.ethernet?.destination ?? ''];
  const [sp, dp] = ports(flow);
  return [
    hostname(flow.IP.source ?? '', sp, flow.source, flow.source_service, flow.source_names),
    hostname(flow.IP.destination ?? '', dp, flow.destination, flow.destination_service, flow.destination_names),
  ];
}

/** `(ID:16092)`, or the reserved name: `(world)`, `(host)`. */
export function formatIdentity(id: number | undefined): string {
  const n = id ?? 0;
  const reserved = n < MIN_ALLOCATED_IDENTITY ? RESERVED_IDENTITY[n] : undefined;
  return reserved ? `(${reserved})` : `(ID:${n})`;
}

/** The TYPE column: observation point, drop reason, policy verdict or L7 kind. */
export function flowType(flow: Flow): string {
  const l7 = flow.l7;
  if (l7) {
    const proto = l7.http ? 'http' : l7.dns ? 'dns' : 'l7';
    const kind = l7.type === 1 ? 'request' : l7.type === 2 ? 'response' : l7.type === 3 ? 'sample' : 'unknown_l7_type';
    return `${proto}-${kind}`;
  }
  const e = flow.event_type;
  switch (e?.type) {
    case EventType.TRACE: return tracePointName(e.sub_type);
    case EventType.DROP: return dropReasonText(e.sub_type || flow.drop_reason_desc);
    case EventType.POLICY_VERDICT:
      return `policy-verdict:${policyMatchName(flow.policy_match_type)} ${enumName(TrafficDirection, flow.traffic_direction)}`;
    default: return 'UNKNOWN';
  }
}

export function verdictName(flow: Flow): string {
  return enumName(Verdict, flow.verdict);
}

const COLOR: Partial<Record<number, string>> = {
  [Verdict.FORWARDED]: '\x1b[32m', [Verdict.REDIRECTED]: '\x1b[32m', [Verdict.TRANSLATED]: '\x1b[32m',
  [Verdict.DROPPED]: '\x1b[31m', [Verdict.ERROR]: '\x1b[31m', [Verdict.AUDIT]: '\x1b[33m', [Verdict.TRACED]: '\x1b[33m',
};

/** The verdict, coloured by its kind when asked (green forwarded, red dropped, yellow audit). */
export function formatVerdict(flow: Flow, color: boolean): string {
  const name = verdictName(flow);
  const c = color ? COLOR[flow.verdict ?? 0] : undefined;
  return c ? `${c}${name}\x1b[0m` : name;
}
