// One compiler per FlowFilter field: it turns the field's values into a predicate over a Flow.
import type { Flow, FlowFilter, TCPFlags, Workload } from '../types.ts';
import { EventType } from '../types.ts';
import { parseSelector, selectorMatches, SelectorError } from './label-selector.ts';
import {
  bad, fqdnMatcher, httpStatusMatcher, ipMatcher, namespacedName, nodeNameMatcher, portMatcher, regexMatcher,
} from './filter-match.ts';

type Pred = (flow: Flow) => boolean;
type Compilers = { [K in keyof FlowFilter]-?: (values: NonNullable<FlowFilter[K]>) => Pred };

const srcPort = (f: Flow) => f.l4?.TCP?.source_port ?? f.l4?.UDP?.source_port ?? f.l4?.SCTP?.source_port;
const dstPort = (f: Flow) => f.l4?.TCP?.destination_port ?? f.l4?.UDP?.destination_port ?? f.l4?.SCTP?.destination_port;

function labels(field: string, values: readonly string[], get: (f: Flow) => readonly string[] | undefined): Pred {
  const selectors = values.map((v) => {
    try {
      return parseSelector(v);
    } catch (e) {
      throw bad(field, v, e instanceof SelectorError ? e.message : String(e));
    }
  });
  return (f) => {
    const l = get(f) ?? [];
    return selectors.some((s) => selectorMatches(s, l));
  };
}

function workloads(values: readonly Workload[], get: (f: Flow) => readonly Workload[] | undefined): Pred {
  return (f) => (get(f) ?? []).some((w) => values.some((v) => (!v.name || v.name === w.name) && (!v.kind || v.kind === w.kind)));
}

function inSet<T>(values: readonly T[], get: (f: Flow) => T): Pred {
  const set = new Set(values);
  return (f) => set.has(get(f));
}

const L4_PROTOCOLS = ['tcp', 'udp', 'sctp', 'icmpv4', 'icmpv6'] as const;
const L7_PROTOCOLS = ['dns', 'http'] as const;

function protocols(values: readonly string[]): Pred {
  const want = new Set<string>();
  for (const v of values) {
    const p = v.toLowerCase();
    if (p === 'icmp') want.add('icmpv4').add('icmpv6');
    else if ((L4_PROTOCOLS as readonly string[]).includes(p) || (L7_PROTOCOLS as readonly string[]).includes(p) || p === 'kafka') want.add(p);
    else throw bad('protocol', v, 'unknown protocol (tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http)');
  }
  return (f) => {
    const l4 = f.l4;
    if (l4) {
      if ((l4.TCP && want.has('tcp')) || (l4.UDP && want.has('udp')) || (l4.SCTP && want.has('sctp'))) return true;
      if ((l4.ICMPv4 && want.has('icmpv4')) || (l4.ICMPv6 && want.has('icmpv6'))) return true;
    }
    return !!((f.l7?.dns && want.has('dns')) || (f.l7?.http && want.has('http')));
  };
}

const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'] as const;

/** A flow matches a TCPFlags filter when it has at least every flag set in it. */
function tcpFlags(values: readonly TCPFlags[]): Pred {
  return (f) => {
    const flags = f.l4?.TCP?.flags;
    if (!flags) return false;
    return values.some((want) => FLAG_NAMES.every((n) => !want[n] || flags[n] === true));
  };
}

function urlPath(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url, 'http://host').pathname;
  } catch {
    return undefined;
  }
}

export const FIELD_COMPILERS: Compilers = {
  source_ip: (v) => { const m = ipMatcher('source_ip', v); return (f) => m(f.IP?.source); },
  destination_ip: (v) => { const m = ipMatcher('destination_ip', v); return (f) => m(f.IP?.destination); },
  source_pod: (v) => { const m = namespacedName('source_pod', v); return (f) => m({ namespace: f.source?.namespace, name: f.source?.pod_name }); },
  destination_pod: (v) => { const m = namespacedName('destination_pod', v); return (f) => m({ namespace: f.destination?.namespace, name: f.destination?.pod_name }); },
  source_service: (v) => { const m = namespacedName('source_service', v); return (f) => m({ ...f.source_service }); },
  destination_service: (v) => { const m = namespacedName('destination_service', v); return (f) => m({ ...f.destination_service }); },
  source_fqdn: (v) => { const m = fqdnMatcher('source_fqdn', v); return (f) => m(f.source_names); },
  destination_fqdn: (v) => { const m = fqdnMatcher('destination_fqdn', v); return (f) => m(f.destination_names); },
  source_label: (v) => labels('source_label', v, (f) => f.source?.labels),
  destination_label: (v) => labels('destination_label', v, (f) => f.destination?.labels),
  node_labels: (v) => labels('node_labels', v, (f) => f.node_labels),
  source_workload: (v) => workloads(v, (f) => f.source?.workloads),
  destination_workload: (v) => workloads(v, (f) => f.destination?.workloads),
  source_identity: (v) => inSet(v, (f) => f.source?.identity ?? 0),
  destination_identity: (v) => inSet(v, (f) => f.destination?.identity ?? 0),
  source_port: (v) => { const m = portMatcher('source_port', v); return (f) => m(srcPort(f)); },
  destination_port: (v) => { const m = portMatcher('destination_port', v); return (f) => m(dstPort(f)); },
  verdict: (v) => inSet(v, (f) => f.verdict ?? 0),
  drop_reason_desc: (v) => inSet(v, (f) => f.drop_reason_desc ?? 0),
  traffic_direction: (v) => inSet(v, (f) => f.traffic_direction ?? 0),
  ip_version: (v) => inSet(v, (f) => f.IP?.ipVersion ?? 0),
  // L7 records without is_reply count as requests, as hubble treats access-log events.
  reply: (v) => (f) => {
    if (f.is_reply === undefined && f.event_type?.type !== EventType.L7) return false;
    return v.includes(f.is_reply?.value === true);
  },
  event_type: (v) => (f) => {
    const e = f.event_type;
    if (!e) return false;
    return v.some((t) => (!t.type || t.type === (e.type ?? 0)) && (!t.match_sub_type || (t.sub_type ?? 0) === (e.sub_type ?? 0)));
  },
  protocol: protocols,
  tcp_flags: tcpFlags,
  node_name: (v) => { const m = nodeNameMatcher('node_name', v); return (f) => m(f.node_name); },
  interface: (v) => (f) => !!f.interface && v.some((i) => (!i.index || i.index === f.interface?.index) && (!i.name || i.name === f.interface?.name)),
  http_status_code: (v) => { const m = httpStatusMatcher('http_status_code', v); return (f) => m(f.l7?.http?.code); },
  http_method: (v) => {
    const methods = new Set(v.map((m) => m.toUpperCase()));
    return (f) => !!f.l7?.http?.method && methods.has(f.l7.http.method.toUpperCase());
  },
  http_path: (v) => { const m = regexMatcher('http_path', v); return (f) => !!f.l7?.http && m(urlPath(f.l7.http.url)); },
  http_url: (v) => { const m = regexMatcher('http_url', v); return (f) => m(f.l7?.http?.url); },
  dns_query: (v) => { const m = regexMatcher('dns_query', v); return (f) => m(f.l7?.dns?.query); },
};
