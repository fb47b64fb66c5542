// The words of a flow as hubble prints them (time, endpoints, type, verdict, summary), shortened
// for table cells. When api/print lands these can defer to it; the wording follows compat-facts.md.
import { EventType, FlowType, L7FlowType, TraceObservationPoint, Verdict, type Endpoint, type Flow, type TCPFlags } from '../../api/types.ts';
import {
  RESERVED_IDENTITY, dropReasonText, enumName, icmpTypeCodeName, policyMatchName, tracePointName,
} from '../../api/names.ts';

export interface TimeOptions { utc?: boolean }

/** `HH:MM:SS.mmm` of the flow time. */
export function timeText(f: Flow, opts: TimeOptions = {}): string {
  if (!f.time) return '';
  const d = new Date((f.time.seconds ?? 0) * 1000 + Math.floor((f.time.nanos ?? 0) / 1e6));
  const [h, m, s] = opts.utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  const ms = opts.utc ? d.getUTCMilliseconds() : d.getMilliseconds();
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(ms).padStart(3, '0')}`;
}

function pad2(n: number): string { return String(n).padStart(2, '0'); }

function ports(f: Flow): [number | undefined, number | undefined] {
  const l4 = f.l4?.TCP ?? f.l4?.UDP ?? f.l4?.SCTP;
  return [l4?.source_port, l4?.destination_port];
}

/** `ns/pod:port`, a DNS name, or the IP, like hubble's compact host. */
export function hostText(ep: Endpoint | undefined, ip: string | undefined, names: string[] | undefined, port: number | undefined): string {
  const host = ep?.pod_name ? `${ep.namespace ?? ''}/${ep.pod_name}` : names?.[0] ?? ip ?? '';
  if (!port) return host;
  return ip?.includes(':') && !ep?.pod_name && !names?.length ? `[${host}]:${port}` : `${host}:${port}`;
}

export function sourceText(f: Flow): string {
  return hostText(f.source, f.IP?.source, f.source_names, ports(f)[0]);
}

export function destinationText(f: Flow): string {
  return hostText(f.destination, f.IP?.destination, f.destination_names, ports(f)[1]);
}

/** `(ID:16092)` or a reserved identity name such as `(world)`. */
export function identityText(ep: Endpoint | undefined): string {
  const id = ep?.identity ?? 0;
  const reserved = id < 256 ? RESERVED_IDENTITY[id] : undefined;
  return reserved ? `(${reserved})` : `(ID:${id})`;
}

/** `->` request, `<-` reply, `<>` unknown. */
export function arrowText(f: Flow): string {
  if (f.is_reply?.value === undefined) return '<>';
  return f.is_reply.value ? '<-' : '->';
}

function l7Kind(f: Flow): string {
  if (f.l7?.http) return 'http';
  if (f.l7?.dns) return 'dns';
  return 'l7';
}

export function typeText(f: Flow): string {
  if (f.Type === FlowType.L7 && f.l7) {
    const t = f.l7.type === L7FlowType.REQUEST ? 'request' : f.l7.type === L7FlowType.RESPONSE ? 'response' : 'sample';
    return `${l7Kind(f)}-${t}`;
  }
  const et = f.event_type?.type;
  if (et === EventType.DROP || (et === undefined && f.verdict === Verdict.DROPPED)) return dropReasonText(f.drop_reason_desc ?? f.event_type?.sub_type);
  if (et === EventType.POLICY_VERDICT) {
    const dir = f.traffic_direction === 2 ? 'EGRESS' : f.traffic_direction === 1 ? 'INGRESS' : 'UNKNOWN';
    return `policy-verdict:${policyMatchName(f.policy_match_type)} ${dir}`;
  }
  if (et === EventType.TRACE) return tracePointName(f.event_type?.sub_type);
  if (f.trace_observation_point) return enumName(TraceObservationPoint, f.trace_observation_point).toLowerCase().replace(/_/g, '-');
  return 'unknown';
}

export function verdictText(f: Flow): string {
  return enumName(Verdict, f.verdict);
}

const FLAG_ORDER: (keyof TCPFlags)[] = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];

export function tcpFlagsText(flags: TCPFlags | undefined): string {
  return FLAG_ORDER.filter((k) => flags?.[k]).join(', ');
}

function ms(ns: number | undefined): string {
  return ns ? `${Math.round(ns / 1e6)}ms` : '';
}

export function summaryText(f: Flow): string {
  const http = f.l7?.http;
  if (http) {
    const req = `${http.method ?? ''} ${http.url ?? ''}`.trim();
    if (f.l7?.type === L7FlowType.RESPONSE) return `${http.protocol ?? 'HTTP'} ${http.code ?? 0} ${ms(f.l7.latency_ns)} (${req})`.replace('  ', ' ');
    return `${http.protocol ?? 'HTTP'} ${req}`;
  }
  const dns = f.l7?.dns;
  if (dns) {
    const q = `${dns.query ?? ''} ${(dns.qtypes ?? []).join(',')}`.trim();
    if (f.l7?.type !== L7FlowType.RESPONSE) return `DNS Query ${q}`;
    const answer = dns.rcode ? `RCode: ${dns.rcode}` : `"${(dns.ips ?? []).join(',')}"`;
    return `DNS Answer ${answer} TTL: ${dns.ttl ?? 0} (Proxy ${q})`;
  }
  const l4 = f.l4;
  if (l4?.TCP) return `TCP Flags: ${tcpFlagsText(l4.TCP.flags)}`;
  if (l4?.UDP) return 'UDP';
  if (l4?.SCTP) return 'SCTP';
  if (l4?.ICMPv4) return `ICMPv4 ${icmpTypeCodeName(4, l4.ICMPv4.type, l4.ICMPv4.code)}`;
  if (l4?.ICMPv6) return `ICMPv6 ${icmpTypeCodeName(6, l4.ICMPv6.type, l4.ICMPv6.code)}`;
  return f.Summary ?? '';
}

/** One hubble compact line (without the date), for the detail pane's first line. */
export function compactLine(f: Flow, opts: TimeOptions = {}): string {
  const node = f.node_name ? ` [${f.node_name}]` : '';
  return `${timeText(f, opts)}${node}: ${sourceText(f)} ${identityText(f.source)} ${arrowText(f)} ` +
    `${destinationText(f)} ${identityText(f.destination)} ${typeText(f)} ${verdictText(f)} (${summaryText(f)})`;
}
