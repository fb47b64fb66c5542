import test from 'ava';
import type { Flow } from '../../../api/types.ts';
import { Verdict } from '../../../api/types.ts';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';
import { MAX_ROUTES_PER_WORKLOAD, TCP_ANSWER_TIMEOUT_S, routeOf } from '../../../agent/metrics/golden-handlers.ts';

const pod = (ns: string, workload: string) => ({ namespace: ns, pod_name: `${workload}-7d9f`, workloads: [{ name: workload, kind: 'Deployment' }] });
const client = pod('shop', 'frontend');
const server = pod('shop', 'checkout');
const world = { identity: 2, labels: ['reserved:world'] };

function samples(m: FlowMetrics, metric: string): string[] {
  return (m.registry.get(metric)?.samples() ?? []).map((s) => `${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ')} => ${s.value}`).sort();
}

test('routes drop the query string and template ids, keep names', (t) => {
  t.is(routeOf('http://checkout.shop/v1/orders/12345?token=secret#x'), '/v1/orders/:id');
  t.is(routeOf('/v1/users/0b7e3c1a-5d2f-4e9b-8c7a-1f2e3d4c5b6a/cart'), '/v1/users/:id/cart');
  t.is(routeOf('/blobs/deadbeefdeadbeef00'), '/blobs/:id');
  t.is(routeOf('/s/Zk3Qp9VwX2mN8rT4yB6cLd'), '/s/:id');
  t.is(routeOf('/v1/request-landing'), '/v1/request-landing');
  t.is(routeOf('/v2/exhaust-port?x=1'), '/v2/exhaust-port');
  t.is(routeOf(''), '/');
});

const response = (url: string, code: number, latencyMs: number, ns = 'shop'): Flow => ({
  verdict: 1, Type: 2, event_type: { type: 129 }, traffic_direction: 1,
  source: { ...server, namespace: ns }, destination: client,
  l7: { type: 2, latency_ns: latencyMs * 1e6, http: { code, method: 'GET', protocol: 'HTTP/1.1', url } },
});

test('workload-http: requests and latency per client -> server pair, route and status; the query never becomes a label', (t) => {
  const m = new FlowMetrics('workload-http');
  m.processFlow(response('http://checkout/v1/orders/1?card=4111111111111111', 200, 3));
  m.processFlow(response('http://checkout/v1/orders/2', 503, 40));
  m.processFlow({ ...response('/x', 200, 1), l7: { type: 1, http: { method: 'GET', url: '/x' } } }); // a request: counted at its response
  t.deepEqual(samples(m, 'netobs_workload_http_requests_total'), [
    'source_namespace=shop source_workload=frontend destination_namespace=shop destination_workload=checkout method=GET route=/v1/orders/:id status=200 => 1',
    'source_namespace=shop source_workload=frontend destination_namespace=shop destination_workload=checkout method=GET route=/v1/orders/:id status=503 => 1',
  ]);
  t.false(m.expose().includes('4111'));
  t.true(m.expose().includes('netobs_workload_http_request_duration_seconds_count{destination_namespace="shop",destination_workload="checkout",method="GET",route="/v1/orders/:id",source_namespace="shop",source_workload="frontend"} 2'));
});

test('workload-http: namespaces= limits it to servers in those namespaces', (t) => {
  const m = new FlowMetrics('workload-http:namespaces=shop,payments');
  m.processFlow(response('/a', 200, 1));
  m.processFlow(response('/a', 200, 1, 'internal'));
  t.deepEqual(samples(m, 'netobs_workload_http_requests_total').map((s) => s.split(' ')[2]), ['destination_namespace=shop']);
});

test('workload-http: routes per server workload are capped; the rest count as other', (t) => {
  const m = new FlowMetrics('workload-http');
  for (let i = 0; i < MAX_ROUTES_PER_WORKLOAD + 10; i++) m.processFlow(response(`/page-${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}x`, 200, 1));
  const routes = samples(m, 'netobs_workload_http_requests_total').map((s) => /route=(\S+)/.exec(s)![1]);
  t.is(routes.length, MAX_ROUTES_PER_WORKLOAD + 1);
  t.true(routes.includes('other'));
});

// Same-node flows as the datapath reports them: the client's egress program and the server's ingress one.
let clock = 1000;
const at = (s: number) => ({ seconds: s, nanos: 0 });
function tcp(flags: Record<string, boolean>, opts: { reply?: boolean; dir: 1 | 2; verdict?: Verdict; from?: object; to?: object; sport?: number }): Flow {
  const reply = opts.reply ?? false;
  const cport = opts.sport ?? 40000;
  return {
    time: at(clock), verdict: opts.verdict ?? Verdict.FORWARDED, traffic_direction: opts.dir, is_reply: { value: reply },
    IP: reply ? { source: '10.0.0.2', destination: '10.0.0.1' } : { source: '10.0.0.1', destination: '10.0.0.2' },
    l4: { TCP: { source_port: reply ? 80 : cport, destination_port: reply ? cport : 80, flags } },
    source: reply ? (opts.from ?? server) : (opts.from ?? client), destination: reply ? (opts.to ?? client) : (opts.to ?? server),
  };
}
const EGRESS = 2 as const;
const INGRESS = 1 as const;
const outcomes = (m: FlowMetrics): Record<string, number> =>
  Object.fromEntries((m.registry.get('netobs_tcp_connections_total')?.samples() ?? []).map((s) => [s.labels.outcome!, s.value]));

test('tcp-connections: established, refused, reset and denied, each counted once although two programs see the connection', (t) => {
  const m = new FlowMetrics('tcp-connections');
  // Established, then reset: seen at the client's egress (counted) and the server's ingress (not).
  for (const dir of [EGRESS, INGRESS]) m.processFlow(tcp({ SYN: true }, { dir, sport: 40001 }));
  for (const dir of [EGRESS, INGRESS]) m.processFlow(tcp({ SYN: true, ACK: true }, { dir, reply: true, sport: 40001 }));
  m.processFlow(tcp({ RST: true }, { dir: EGRESS, sport: 40001 }));
  // Refused: the server answers the SYN with RST.
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 40002 }));
  m.processFlow(tcp({ RST: true, ACK: true }, { dir: INGRESS, reply: true, sport: 40002 }));
  // Denied: the SYN dropped by policy; a retransmitted SYN is the same attempt.
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 40003, verdict: Verdict.DROPPED }));
  // Denied at the server's ingress (same node): the attempt is settled as denied, not a timeout.
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 40004 }));
  m.processFlow(tcp({ SYN: true }, { dir: INGRESS, sport: 40004, verdict: Verdict.DROPPED }));
  clock += TCP_ANSWER_TIMEOUT_S + 1;
  m.processFlow(tcp({ FIN: true }, { dir: EGRESS, sport: 40009 }));
  t.deepEqual(outcomes(m), { attempted: 3, established: 1, reset: 1, refused: 1, denied: 2 });
  t.true(m.expose().includes('netobs_tcp_connections_total{destination_namespace="shop",destination_workload="checkout",outcome="refused",source_namespace="shop",source_workload="frontend"} 1'));
});

test('tcp-connections: a SYN without an answer becomes a timeout after the answer timeout, by flow time', (t) => {
  const m = new FlowMetrics('tcp-connections');
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 41000 }));
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 41000 })); // retransmission
  clock += TCP_ANSWER_TIMEOUT_S - 1;
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 41001 }));
  t.is(outcomes(m).timeout, undefined);
  clock += 2;
  m.processFlow(tcp({ SYN: true }, { dir: EGRESS, sport: 41002 }));
  t.deepEqual(outcomes(m), { attempted: 3, timeout: 1 });
});

test('tcp-connections: a client outside the cluster is counted at the server ingress', (t) => {
  const m = new FlowMetrics('tcp-connections');
  m.processFlow(tcp({ SYN: true }, { dir: INGRESS, from: world, sport: 42000 }));
  m.processFlow(tcp({ SYN: true, ACK: true }, { dir: EGRESS, reply: true, to: world, sport: 42000 }));
  t.deepEqual(outcomes(m), { attempted: 1, established: 1 });
  t.true(m.expose().includes('source_workload="world"'));
});
