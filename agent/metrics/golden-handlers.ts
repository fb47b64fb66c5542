// netobs's golden-signal handlers (not Hubble's; their metrics are netobs_*):
// - workload-http: requests and latency per workload pair and route, from the HTTP the datapath
//   parses for every pod. A route is the path with its query string dropped (it carries tokens
//   and user data) and id-like segments templated, capped per destination workload, so a metric
//   never holds a series per URL. `namespaces=a,b` limits it to servers in those namespaces.
// - tcp-connections: what became of each TCP connection attempt: established, refused (RST to
//   the SYN), reset (RST later), timeout (no answer within TCP_ANSWER_TIMEOUT_S), per workload
//   pair; and denied: SYNs dropped by the datapath (a retransmitted one counts again). A
//   connection denied at a remote server's ingress also times out at the client's agent.
import type { Flow } from '../../api/types.ts';
import { L7FlowType, TrafficDirection, Verdict } from '../../api/types.ts';
import type { Registry } from './registry.ts';
import { GOLDEN_METRICS } from '../../api/metrics-grammar.ts';
import type { HandlerSpec } from './options.ts';

type FlowHandler = (flow: Flow) => void;

/** The labels naming both sides, client first: the pair a golden signal is about. */
export const PAIR_LABELS = ['source_namespace', 'source_workload', 'destination_namespace', 'destination_workload'] as const;

const workloadOf = (ep: Flow['source']): string => ep?.workloads?.[0]?.name ?? ep?.pod_name ?? (ep?.labels?.find((l) => l.startsWith('reserved:'))?.slice(9) ?? '');

/** Client and server labels of an exchange; `swap` when the flow goes server to client. */
function pair(f: Flow, swap: boolean): string[] {
  const client = swap ? f.destination : f.source;
  const server = swap ? f.source : f.destination;
  return [client?.namespace ?? '', workloadOf(client), server?.namespace ?? '', workloadOf(server)];
}

/** Distinct routes a destination workload may have; later ones are counted as `other`. */
export const MAX_ROUTES_PER_WORKLOAD = 64;

// A segment is an id when it is a number, a UUID, a long hex string, or a long token that
// mixes letters and digits (base64/ULID-like); names such as `v1` or `request-landing` stay.
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|(?=[^/]*\d)(?=[^/]*[a-z])[A-Za-z0-9_=-]{20,})$/i;

/** The route of a URL or path: no scheme/host, no query or fragment, ids as `:id`. */
export function routeOf(url: string): string {
  let path = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  path = path.replace(/[?#].*$/s, '');
  if (!path.startsWith('/')) path = `/${path}`;
  return path.split('/').map((seg) => (ID_SEGMENT.test(seg) ? ':id' : seg)).join('/');
}

export function workloadHttpHandler(r: Registry, spec: HandlerSpec): FlowHandler {
  const only = new Set((spec.options.namespaces ?? '').split(',').map((n) => n.trim()).filter(Boolean));
  const names = [...PAIR_LABELS, 'method', 'route'];
  const requests = r.counter(GOLDEN_METRICS.routeRequests, 'HTTP requests per workload pair, route and status', [...names, 'status']);
  const duration = r.histogram(GOLDEN_METRICS.routeDuration, 'HTTP request duration per workload pair and route, in seconds', names);
  const routes = new Map<string, Set<string>>();
  const bounded = (server: string, route: string): string => {
    let seen = routes.get(server);
    if (!seen) routes.set(server, (seen = new Set()));
    if (seen.has(route)) return route;
    if (seen.size >= MAX_ROUTES_PER_WORKLOAD) return 'other';
    seen.add(route);
    return route;
  };
  return (f) => {
    const http = f.l7?.http;
    if (!http || f.l7?.type !== L7FlowType.RESPONSE) return;
    // A response flows server to client: swap so the labels read client -> server.
    const labels = pair(f, true);
    if (only.size > 0 && !only.has(labels[2]!)) return;
    const route = bounded(`${labels[2]}/${labels[3]}`, routeOf(http.url ?? '/'));
    const l = [...labels, http.method ?? '', route];
    requests.inc([...l, String(http.code ?? 0)]);
    duration.observe(l, (f.l7.latency_ns ?? 0) / 1e9);
  };
}

/** Seconds a SYN may wait for an answer before its connection counts as timed out. */
export const TCP_ANSWER_TIMEOUT_S = 10;
/** Connections awaiting an answer that are tracked at once; beyond, the oldest is given up. */
export const MAX_PENDING_SYNS = 65_536;

const seconds = (f: Flow): number => (f.time?.seconds ?? 0) + (f.time?.nanos ?? 0) / 1e9;

/**
 * A connection is counted once cluster-wide: by the agent that sees the client's egress when the
 * client is a pod, else (a client outside the cluster, or a host) at the server's ingress.
 */
function countedHere(f: Flow, reply: boolean): boolean {
  const client = reply ? f.destination : f.source;
  const clientIsPod = Boolean(client?.pod_name);
  const wanted = clientIsPod ? TrafficDirection.EGRESS : TrafficDirection.INGRESS;
  // A reply travels the other way: the client's egress point sees it as ingress, and vice versa.
  const dir = reply ? (f.traffic_direction === TrafficDirection.INGRESS ? TrafficDirection.EGRESS : TrafficDirection.INGRESS) : f.traffic_direction;
  return dir === wanted;
}

export function tcpConnectionsHandler(r: Registry): FlowHandler {
  const m = r.counter(GOLDEN_METRICS.tcpConnections, 'TCP connection attempts by outcome (attempted, established, refused, reset, timeout, denied), per workload pair', [...PAIR_LABELS, 'outcome']);
  const givenUp = r.counter(GOLDEN_METRICS.tcpUntracked, 'Connection attempts no longer tracked (more than the pending limit awaited an answer)', []);
  // Insertion order is age order: the sweep stops at the first attempt still within its timeout.
  const pending = new Map<string, { at: number; labels: string[] }>();
  const established = new Set<string>();
  let lastSweep = 0;
  const sweep = (now: number): void => {
    if (now - lastSweep < 1) return;
    lastSweep = now;
    for (const [k, p] of pending) {
      if (now - p.at < TCP_ANSWER_TIMEOUT_S) break;
      pending.delete(k);
      m.inc([...p.labels, 'timeout']);
    }
  };
  return (f) => {
    const tcp = f.l4?.TCP;
    const ip = f.IP;
    if (!tcp || !ip) return;
    const reply = f.is_reply?.value === true;
    const flags = tcp.flags ?? {};
    const now = seconds(f);
    sweep(now);
    // The connection's key as the client opened it.
    const key = reply
      ? `${ip.destination}|${tcp.destination_port}|${ip.source}|${tcp.source_port}`
      : `${ip.source}|${tcp.source_port}|${ip.destination}|${tcp.destination_port}`;
    const syn = !reply && flags.SYN && !flags.ACK;
    // A SYN is dropped at one point only (the client's egress or the server's ingress): counted
    // where it happens, each retransmission too; an attempt this agent saw leave is settled by it.
    if (syn && f.verdict === Verdict.DROPPED) {
      const waiting = pending.get(key);
      if (waiting) pending.delete(key);
      m.inc([...(waiting?.labels ?? pair(f, false)), 'denied']);
      return;
    }
    if (!countedHere(f, reply)) return;
    if (syn) {
      const labels = pair(f, false);
      if (f.verdict !== Verdict.FORWARDED || pending.has(key)) return; // a retransmitted SYN is the same attempt
      m.inc([...labels, 'attempted']);
      if (pending.size >= MAX_PENDING_SYNS) {
        const oldest = pending.keys().next().value as string;
        pending.delete(oldest);
        givenUp.inc([]);
      }
      pending.set(key, { at: now, labels });
      return;
    }
    const waiting = pending.get(key);
    if (reply && waiting && flags.SYN && flags.ACK) {
      pending.delete(key);
      m.inc([...waiting.labels, 'established']);
      if (established.size < MAX_PENDING_SYNS) established.add(key);
    } else if (flags.RST) {
      if (waiting) {
        pending.delete(key);
        m.inc([...waiting.labels, reply ? 'refused' : 'reset']);
      } else if (established.delete(key)) {
        m.inc([...pair(f, reply), 'reset']);
      }
    } else if (flags.FIN) {
      established.delete(key);
    }
  };
}
