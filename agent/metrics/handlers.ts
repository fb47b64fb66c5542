// The hubble flow metric handlers (names, labels and counting rules of Hubble's, so existing
// dashboards and PromQL work). Each registers its metrics and returns a per-flow function;
// context labels (labelsContext, sourceContext, destinationContext) follow the handler's own.
import type { Flow } from '../../api/types.ts';
import { EventType, IPVersion, L7FlowType, TrafficDirection, Verdict, DropReason } from '../../api/types.ts';
import { enumName, icmpTypeCodeName, policyMatchName, tracePointName } from '../../api/names.ts';
import { labelContext } from './context.ts';
import type { HandlerSpec } from './options.ts';
import { MetricsConfigError } from './options.ts';
import { handlerName, handlerOptions, METRICS_HANDLER_NAMES, refusedHandler, type MetricsHandlerName } from '../../api/metrics-grammar.ts';
import { flowProtocol } from './protocol.ts';
import { tcpConnectionsHandler, workloadHttpHandler } from './golden-handlers.ts';
import type { Registry } from './registry.ts';

export type FlowHandler = (flow: Flow) => void;
type Factory = (r: Registry, spec: HandlerSpec, ctx: ReturnType<typeof labelContext>) => FlowHandler;

const family = (f: Flow): string => (f.IP?.ipVersion === IPVersion.IPv6 ? 'IPv6' : 'IPv4');
const verdict = (f: Flow): string => enumName(Verdict, f.verdict);
const forwarded = (f: Flow): boolean => f.verdict === Verdict.FORWARDED || f.verdict === Verdict.REDIRECTED;

export const DNS_RCODE_METRIC_NAME: Readonly<Record<number, string>> = {
  0: 'No Error', 1: 'Format Error', 2: 'Server Failure', 3: 'Non-Existent Domain', 4: 'Not Implemented',
  5: 'Query Refused', 6: 'Name Exists when it should not', 7: 'RR Set Exists when it should not',
  8: 'RR Set that should exist does not', 9: 'Server Not Authoritative for zone', 10: 'Name not contained in zone',
};

// exemplars=true: a flow's trace ID (the L7 proxy reads it from a W3C traceparent header) goes
// with its sample as the exemplar label traceID, as Hubble writes it; flows without one add none.
const traceExemplar = (s: HandlerSpec) => (s.options.exemplars !== undefined && s.options.exemplars !== 'false'
  ? (f: Flow): Record<string, string> | undefined => (f.trace_context?.parent?.trace_id ? { traceID: f.trace_context.parent.trace_id } : undefined)
  : (): undefined => undefined);

// The reporter is the side that saw the exchange: a server sees ingress, a client egress.
const reporter = (f: Flow): string =>
  f.traffic_direction === TrafficDirection.INGRESS ? 'server' : f.traffic_direction === TrafficDirection.EGRESS ? 'client' : 'unknown';

function flowTypeLabels(f: Flow): [string, string] {
  switch (f.event_type?.type) {
    case EventType.L7: return ['L7', f.l7?.dns ? 'DNS' : f.l7?.http ? 'HTTP' : ''];
    case EventType.DROP: return ['Drop', ''];
    case EventType.CAPTURE: return ['Capture', ''];
    case EventType.TRACE: return ['Trace', tracePointName(f.event_type.sub_type)];
    case EventType.POLICY_VERDICT: return ['PolicyVerdict', ''];
    default: return ['Unknown', String(f.event_type?.type ?? 0)];
  }
}

// One factory per handler of api/metrics-grammar.ts (the table says which options each takes).
const FACTORIES: Record<MetricsHandlerName, { make: Factory; swapsResponses?: true }> = {
  flow: { make: (r, _s, ctx) => {
    const m = r.counter('hubble_flows_processed_total', 'Total number of flows processed', ['protocol', 'type', 'subtype', 'verdict', ...ctx.names]);
    return (f) => m.inc([flowProtocol(f), ...flowTypeLabels(f), verdict(f), ...ctx.values(f)]);
  } },
  drop: { make: (r, _s, ctx) => {
    const m = r.counter('hubble_drop_total', 'Number of drops', ['reason', 'protocol', ...ctx.names]);
    return (f) => { if (f.verdict === Verdict.DROPPED) m.inc([enumName(DropReason, f.drop_reason_desc), flowProtocol(f), ...ctx.values(f)]); };
  } },
  tcp: { make: (r, _s, ctx) => {
    const m = r.counter('hubble_tcp_flags_total', 'TCP flag occurrences', ['flag', 'family', ...ctx.names]);
    return (f) => {
      const flags = f.l4?.TCP?.flags;
      if (!forwarded(f) || !flags || !f.IP) return;
      const rest = [family(f), ...ctx.values(f)];
      if (flags.FIN) m.inc(['FIN', ...rest]);
      if (flags.SYN) m.inc([flags.ACK ? 'SYN-ACK' : 'SYN', ...rest]);
      if (flags.RST) m.inc(['RST', ...rest]);
    };
  } },
  dns: { make: (r, s, ctx) => {
    const withQuery = 'query' in s.options;
    const q = withQuery ? ['query'] : [];
    const queries = r.counter('hubble_dns_queries_total', 'Number of DNS queries observed', ['rcode', 'qtypes', 'ips_returned', ...q, ...ctx.names]);
    const responses = r.counter('hubble_dns_responses_total', 'Number of DNS responses observed', ['rcode', 'qtypes', 'ips_returned', ...q, ...ctx.names]);
    const types = r.counter('hubble_dns_response_types_total', 'Number of DNS response types', ['type', 'qtypes', ...q, ...ctx.names]);
    return (f) => {
      const dns = f.l7?.dns;
      if (!dns) return;
      if ('ignoreAAAA' in s.options && dns.qtypes?.includes('AAAA')) return;
      const qtypes = (dns.qtypes ?? []).join(',');
      const extra = [...(withQuery ? [dns.query ?? ''] : []), ...ctx.values(f)];
      if (f.l7?.type === L7FlowType.REQUEST) queries.inc(['', qtypes, '0', ...extra]);
      else if (f.l7?.type === L7FlowType.RESPONSE) {
        responses.inc([DNS_RCODE_METRIC_NAME[dns.rcode ?? 0] ?? String(dns.rcode), qtypes, String(dns.ips?.length ?? 0), ...extra]);
        for (const t of dns.rrtypes ?? []) types.inc([t, qtypes, ...extra]);
      }
    };
  } },
  // v1: requests counted when seen (with their protocol), responses apart (with their status).
  http: { make: (r, s, ctx) => {
    const ex = traceExemplar(s);
    const requests = r.counter('hubble_http_requests_total', 'Count of HTTP requests', ['method', 'protocol', 'reporter', ...ctx.names]);
    const responses = r.counter('hubble_http_responses_total', 'Count of HTTP responses', ['method', 'status', 'reporter', ...ctx.names]);
    const duration = r.histogram('hubble_http_request_duration_seconds', 'Quantiles of HTTP request duration in seconds', ['method', 'reporter', ...ctx.names]);
    return (f) => {
      const http = f.l7?.http;
      if (!http) return;
      const c = ctx.values(f);
      if (f.l7?.type === L7FlowType.REQUEST) requests.inc([http.method ?? '', http.protocol ?? '', reporter(f), ...c], 1, ex(f));
      else if (f.l7?.type === L7FlowType.RESPONSE) {
        responses.inc([http.method ?? '', String(http.code ?? 0), reporter(f), ...c], 1, ex(f));
        duration.observe([http.method ?? '', reporter(f), ...c], (f.l7.latency_ns ?? 0) / 1e9, ex(f));
      }
    };
  } },
  httpV2: { swapsResponses: true, make: (r, s, ctx) => {
    const ex = traceExemplar(s);
    const requests = r.counter('hubble_http_requests_total', 'Count of HTTP requests', ['method', 'protocol', 'status', 'reporter', ...ctx.names]);
    const duration = r.histogram('hubble_http_request_duration_seconds', 'Quantiles of HTTP request duration in seconds', ['method', 'reporter', ...ctx.names]);
    return (f) => {
      const http = f.l7?.http;
      if (!http || f.l7?.type !== L7FlowType.RESPONSE) return;
      // As Hubble's v2 handler: a response flows server to client, so its context labels are
      // taken with source and destination swapped (source_* names the client).
      const c = ctx.values(swapSides(f));
      requests.inc([http.method ?? '', http.protocol ?? '', String(http.code ?? 0), reporter(f), ...c], 1, ex(f));
      duration.observe([http.method ?? '', reporter(f), ...c], (f.l7?.latency_ns ?? 0) / 1e9, ex(f));
    };
  } },
  icmp: { make: (r, _s, ctx) => {
    const m = r.counter('hubble_icmp_total', 'Number of ICMP messages', ['family', 'type', ...ctx.names]);
    return (f) => {
      const v4 = f.l4?.ICMPv4;
      const v6 = f.l4?.ICMPv6;
      if (v4) m.inc(['IPv4', icmpTypeCodeName(4, v4.type, 0), ...ctx.values(f)]);
      else if (v6) m.inc(['IPv6', icmpTypeCodeName(6, v6.type, 0), ...ctx.values(f)]);
    };
  } },
  'port-distribution': { make: (r, _s, ctx) => {
    const m = r.counter('hubble_port_distribution_total', 'Numbers of packets distributed by destination port', ['protocol', 'port', ...ctx.names]);
    return (f) => {
      if (f.verdict !== Verdict.FORWARDED || !f.l4 || f.is_reply?.value) return;
      const tcp = f.l4.TCP;
      // A TCP connection counts once, at its SYN.
      if (tcp?.flags?.SYN && !tcp.flags.ACK) m.inc(['TCP', String(tcp.destination_port ?? 0), ...ctx.values(f)]);
      else if (f.l4.UDP) m.inc(['UDP', String(f.l4.UDP.destination_port ?? 0), ...ctx.values(f)]);
      else if (f.l4.SCTP) m.inc(['SCTP', String(f.l4.SCTP.destination_port ?? 0), ...ctx.values(f)]);
    };
  } },
  'flows-to-world': { make: (r, s, ctx) => {
    const withPort = 'port' in s.options;
    const m = r.counter('hubble_flows_to_world_total', 'Total number of flows to reserved:world', ['protocol', 'verdict', ...(withPort ? ['port'] : []), ...ctx.names]);
    return (f) => {
      const labels = f.destination?.labels ?? [];
      if (!labels.some((l) => l === 'reserved:world' || l.startsWith('reserved:world-'))) return;
      if (f.is_reply === undefined || f.is_reply.value) return;
      if (f.verdict === Verdict.DROPPED && !('any-drop' in s.options) && f.drop_reason_desc !== DropReason.POLICY_DENIED) return;
      const tcp = f.l4?.TCP;
      if ('syn-only' in s.options && tcp && !(tcp.flags?.SYN && !tcp.flags.ACK)) return;
      const port = tcp?.destination_port ?? f.l4?.UDP?.destination_port ?? f.l4?.SCTP?.destination_port ?? 0;
      m.inc([flowProtocol(f), verdict(f), ...(withPort ? [String(port)] : []), ...ctx.values(f)]);
    };
  } },
  policy: { make: (r, _s, ctx) => {
    const m = r.counter('hubble_policy_verdicts_total', 'Number of policy verdict events', ['direction', 'match', 'action', ...ctx.names]);
    return (f) => {
      const pv = f.event_type?.type === EventType.POLICY_VERDICT;
      const l7 = f.event_type?.type === EventType.L7 && f.l7?.type === L7FlowType.REQUEST;
      if (!pv && !l7) return;
      const direction = enumName(TrafficDirection, f.traffic_direction).toLowerCase().replace('traffic_direction_', '');
      const match = pv ? policyMatchName(f.policy_match_type).toLowerCase() : `l7/${f.l7?.http ? 'http' : f.l7?.dns ? 'dns' : 'unknown'}`;
      m.inc([direction, match, verdict(f).toLowerCase(), ...ctx.values(f)]);
    };
  } },
  'workload-http': { make: (r, s) => workloadHttpHandler(r, s) },
  'tcp-connections': { make: (r) => tcpConnectionsHandler(r) },
};

/** The flow seen from the other side: source and destination (endpoint, address, names, port) swapped. */
export function swapSides(f: Flow): Flow {
  const tcp = f.l4?.TCP;
  const udp = f.l4?.UDP;
  return {
    ...f,
    source: f.destination, destination: f.source,
    source_names: f.destination_names, destination_names: f.source_names,
    ...(f.IP && { IP: { ...f.IP, source: f.IP.destination, destination: f.IP.source } }),
    ...(tcp && { l4: { TCP: { ...tcp, source_port: tcp.destination_port, destination_port: tcp.source_port } } }),
    ...(udp && { l4: { UDP: { ...udp, source_port: udp.destination_port, destination_port: udp.source_port } } }),
  };
}

export const HANDLER_NAMES = METRICS_HANDLER_NAMES;

export function makeHandler(registry: Registry, spec: HandlerSpec): FlowHandler {
  const refused = refusedHandler(spec.name);
  if (refused) throw new MetricsConfigError(`metrics ${spec.name}: ${refused}`);
  const name = handlerName(spec.name);
  const factory = name && FACTORIES[name];
  if (!name || !factory) throw new MetricsConfigError(`metrics ${spec.name}: unknown handler (one of ${HANDLER_NAMES.join(', ')})`);
  for (const opt of Object.keys(spec.options)) {
    const options = handlerOptions(name);
    if (!options.includes(opt)) {
      throw new MetricsConfigError(`metrics ${spec.name}: unknown option ${JSON.stringify(opt)} (${options.length ? `one of ${options.join(', ')}, ` : ''}labelsContext, sourceContext, destinationContext)`);
    }
  }
  const ctx = labelContext(spec);
  const handle = factory.make(registry, spec, ctx);
  // The pods owning a series are those its labels name: for a handler that labels responses with
  // their sides swapped, the swapped flow's.
  const ownersOf = factory.swapsResponses
    ? (f: Flow) => ctx.owners(f.l7?.type === L7FlowType.RESPONSE ? swapSides(f) : f)
    : (f: Flow) => ctx.owners(f);
  return (f) => {
    const owners = ownersOf(f);
    if (owners.length === 0) handle(f);
    else registry.owning(owners, () => handle(f));
  };
}
