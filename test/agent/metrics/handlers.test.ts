import test from 'ava';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';
import type { Flow } from '../../../api/types.ts';
import { L7FlowType } from '../../../api/types.ts';

const podA = { identity: 300, namespace: 'default', pod_name: 'pod-a-7d9f', labels: ['k8s:app=pod-a', 'k8s:io.kubernetes.pod.namespace=default'], workloads: [{ name: 'pod-a', kind: 'Deployment' }] };
const podB = { identity: 301, namespace: 'default', pod_name: 'pod-b-5c4d', labels: ['k8s:app.kubernetes.io/name=pod-b', 'k8s:app=ignored'] };
const world = { identity: 2, labels: ['reserved:world'] };
const ip = { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 as const };

const syn: Flow = { verdict: 1, IP: ip, l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } }, source: podA, destination: podB, event_type: { type: 4, sub_type: 0 }, traffic_direction: 1, is_reply: { value: false } };
const synAck: Flow = { ...syn, l4: { TCP: { source_port: 8080, destination_port: 40000, flags: { SYN: true, ACK: true } } }, is_reply: { value: true } };
const drop: Flow = { verdict: 2, drop_reason_desc: 133, IP: ip, l4: { UDP: { source_port: 5000, destination_port: 53 } }, source: podA, destination: podB, event_type: { type: 1, sub_type: 133 } };
const toWorld: Flow = { verdict: 1, IP: { ...ip, destination: '1.1.1.1' }, l4: { TCP: { source_port: 40001, destination_port: 443, flags: { SYN: true } } }, source: podA, destination: world, event_type: { type: 4, sub_type: 3 }, traffic_direction: 2, is_reply: { value: false } };
const icmp6: Flow = { verdict: 1, IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 2 }, l4: { ICMPv6: { type: 128 } }, event_type: { type: 4, sub_type: 0 } };
const dnsQ: Flow = { verdict: 1, Type: 2, event_type: { type: 129 }, source: podA, l7: { type: 1, dns: { query: 'example.com.', qtypes: ['A'] } } };
const dnsR: Flow = { verdict: 1, Type: 2, event_type: { type: 129 }, source: podA, l7: { type: 2, dns: { query: 'example.com.', qtypes: ['A'], rcode: 0, ips: ['1.2.3.4', '1.2.3.5'], rrtypes: ['CNAME', 'A', 'A'] } } };
const nx: Flow = { ...dnsR, l7: { type: 2, dns: { query: 'nope.', qtypes: ['AAAA'], rcode: 3 } } };
const httpR: Flow = { verdict: 1, Type: 2, event_type: { type: 129 }, IP: ip, source: podB, destination: podA, traffic_direction: 1, l7: { type: 2, latency_ns: 30_000_000, http: { code: 200, method: 'GET', protocol: 'HTTP/1.1', url: 'http://b/' } } };
const verdictEv: Flow = { verdict: 2, IP: ip, source: podA, destination: podB, event_type: { type: 5 }, traffic_direction: 1, policy_match_type: 0 };
const allFlows = [syn, synAck, drop, toWorld, icmp6, dnsQ, dnsR, nx, httpR, verdictEv];

function samples(config: string, metric: string, flows: Flow[] = allFlows): string[] {
  const m = new FlowMetrics(config);
  for (const f of flows) m.processFlow(f);
  return (m.registry.get(metric)?.samples() ?? []).map((s) => `${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(' ')} => ${s.value}`).sort();
}

const labelSets = test.macro({
  exec(t, config: string, metric: string, expected: string[]) {
    t.deepEqual(samples(config, metric), [...expected].sort());
  },
  title: (_t, config, metric) => `${config}: ${metric}`,
});

test(labelSets, 'flow', 'hubble_flows_processed_total', [
  'protocol=TCP type=Trace subtype=to-endpoint verdict=FORWARDED => 2',
  'protocol=UDP type=Drop subtype= verdict=DROPPED => 1',
  'protocol=TCP type=Trace subtype=to-stack verdict=FORWARDED => 1',
  'protocol=ICMPv6 type=Trace subtype=to-endpoint verdict=FORWARDED => 1',
  'protocol=DNS type=L7 subtype=DNS verdict=FORWARDED => 3',
  'protocol=HTTP type=L7 subtype=HTTP verdict=FORWARDED => 1',
  'protocol=Unknown flow type=PolicyVerdict subtype= verdict=DROPPED => 1',
]);
test(labelSets, 'drop', 'hubble_drop_total', ['reason=POLICY_DENIED protocol=UDP => 1', 'reason=VERDICT_UNKNOWN protocol=Unknown flow => 1'].map((s) => s.replace('VERDICT_UNKNOWN', 'DROP_REASON_UNKNOWN')));
test(labelSets, 'tcp', 'hubble_tcp_flags_total', ['flag=SYN family=IPv4 => 2', 'flag=SYN-ACK family=IPv4 => 1']);
test(labelSets, 'dns', 'hubble_dns_queries_total', ['rcode= qtypes=A ips_returned=0 => 1']);
test(labelSets, 'dns', 'hubble_dns_responses_total', ['rcode=No Error qtypes=A ips_returned=2 => 1', 'rcode=Non-Existent Domain qtypes=AAAA ips_returned=0 => 1']);
test(labelSets, 'dns', 'hubble_dns_response_types_total', ['type=CNAME qtypes=A => 1', 'type=A qtypes=A => 2']);
test(labelSets, 'dns:ignoreAAAA;query', 'hubble_dns_responses_total', ['rcode=No Error qtypes=A ips_returned=2 query=example.com. => 1']);
test(labelSets, 'httpV2', 'hubble_http_requests_total', ['method=GET protocol=HTTP/1.1 status=200 reporter=server => 1']);
test(labelSets, 'httpV2', 'hubble_http_request_duration_seconds', ['method=GET reporter=server => 1']);
const httpQ: Flow = { ...httpR, l7: { type: 1, http: { method: 'GET', protocol: 'HTTP/1.1', url: 'http://b/' } } };
const httpEgress: Flow = { ...httpR, traffic_direction: 2, l7: { type: 2, latency_ns: 2_000_000_000, http: { code: 503, method: 'POST', protocol: 'HTTP/1.1' } } };
test('http (v1): requests by protocol when seen, responses by status, duration from the response', (t) => {
  const flows = [httpQ, httpR, httpEgress, dnsR];
  t.deepEqual(samples('http', 'hubble_http_requests_total', flows), ['method=GET protocol=HTTP/1.1 reporter=server => 1']);
  t.deepEqual(samples('http', 'hubble_http_responses_total', flows), ['method=GET status=200 reporter=server => 1', 'method=POST status=503 reporter=client => 1']);
  t.deepEqual(samples('http:labelsContext=source_namespace,destination_namespace', 'hubble_http_request_duration_seconds', flows),
    ['method=GET reporter=server source_namespace=default destination_namespace=default => 1', 'method=POST reporter=client source_namespace=default destination_namespace=default => 1']);
  const m = new FlowMetrics('http');
  for (const f of flows) m.processFlow(f);
  const text = m.expose();
  t.regex(text, /hubble_http_request_duration_seconds_bucket\{method="GET",reporter="server",le="0\.05"\} 1/);
  t.regex(text, /hubble_http_request_duration_seconds_bucket\{method="POST",reporter="client",le="1"\} 0/);
  t.regex(text, /hubble_http_request_duration_seconds_bucket\{method="POST",reporter="client",le="2\.5"\} 1/);
});
test(labelSets, 'icmp', 'hubble_icmp_total', ['family=IPv6 type=EchoRequest => 1']);
test(labelSets, 'port-distribution', 'hubble_port_distribution_total', ['protocol=TCP port=8080 => 1', 'protocol=TCP port=443 => 1']);
test(labelSets, 'flows-to-world', 'hubble_flows_to_world_total', ['protocol=TCP verdict=FORWARDED => 1']);
test(labelSets, 'flows-to-world:port', 'hubble_flows_to_world_total', ['protocol=TCP verdict=FORWARDED port=443 => 1']);
test(labelSets, 'policy', 'hubble_policy_verdicts_total', ['direction=ingress match=none action=dropped => 1', 'direction=unknown match=l7/dns action=forwarded => 1']);

test('the seed\'s PromQL labels: source_app / destination_app / namespaces on flows and flows-to-world', (t) => {
  const ctx = 'labelsContext=source_namespace,source_app,destination_namespace,destination_app';
  t.deepEqual(samples(`flow:${ctx}`, 'hubble_flows_processed_total', [syn]), [
    'protocol=TCP type=Trace subtype=to-endpoint verdict=FORWARDED source_namespace=default source_app=pod-a destination_namespace=default destination_app=pod-b => 1',
  ]);
  t.deepEqual(samples(`flows-to-world:${ctx}`, 'hubble_flows_to_world_total', [toWorld]), [
    'protocol=TCP verdict=FORWARDED source_namespace=default source_app=pod-a destination_namespace= destination_app= => 1',
  ]);
});

test('source/destination contexts take the first non-empty choice', (t) => {
  t.deepEqual(samples('drop:sourceContext=workload|pod;destinationContext=dns|pod-name|ip;labelsContext=traffic_direction,source_workload_kind', 'hubble_drop_total', [drop]), [
    'reason=POLICY_DENIED protocol=UDP source=default/pod-a destination=pod-b-5c4d traffic_direction=unknown source_workload_kind=Deployment => 1',
  ]);
  t.deepEqual(samples('drop:sourceContext=reserved-identity|identity', 'hubble_drop_total', [{ ...drop, source: world }]), [
    'reason=POLICY_DENIED protocol=UDP source=reserved:world => 1',
  ]);
});

test('lost events are always counted by source', (t) => {
  const m = new FlowMetrics('');
  m.processLost({ source: 3, num_events_lost: 12 });
  m.processLost({ source: 1, num_events_lost: 2 });
  m.processLost({ source: 3, num_events_lost: 1 });
  t.is(m.expose(), [
    '# HELP hubble_lost_events_total Number of lost events',
    '# TYPE hubble_lost_events_total counter',
    'hubble_lost_events_total{source="hubble_ring_buffer"} 13',
    'hubble_lost_events_total{source="perf_event_ring_buffer"} 2',
    '',
  ].join('\n'));
});

// httpV2 labels a response as Hubble does, with its sides swapped: source_* is the client (pod-a).
test('exposition of the seed configuration', (t) => {
  const m = new FlowMetrics('httpV2:exemplars=true;labelsContext=source_ip,source_namespace,source_workload,destination_ip,destination_namespace,destination_workload,traffic_direction');
  m.processFlow(httpR);
  const text = m.expose();
  t.true(text.includes('hubble_http_requests_total{destination_ip="10.0.1.5",destination_namespace="default",destination_workload="",method="GET",protocol="HTTP/1.1",reporter="server",source_ip="10.0.2.7",source_namespace="default",source_workload="pod-a",status="200",traffic_direction="ingress"} 1\n'));
  t.true(text.includes('hubble_http_request_duration_seconds_bucket{destination_ip="10.0.1.5",destination_namespace="default",destination_workload="",method="GET",reporter="server",source_ip="10.0.2.7",source_namespace="default",source_workload="pod-a",traffic_direction="ingress",le="0.05"} 1\n'));
  t.true(text.includes('hubble_http_request_duration_seconds_bucket{destination_ip="10.0.1.5",destination_namespace="default",destination_workload="",method="GET",reporter="server",source_ip="10.0.2.7",source_namespace="default",source_workload="pod-a",traffic_direction="ingress",le="0.025"} 0\n'));
});

test('series naming a deleted pod go at the sweep; namespace-level series stay', (t) => {
  const m = new FlowMetrics('flow:labelsContext=source_namespace,destination_namespace httpV2:labelsContext=source_ip,source_pod,destination_namespace');
  for (const f of [syn, httpR]) m.processFlow(f);
  const pods = (metric: string): string[] => (m.registry.get(metric)?.samples() ?? []).map((s) => s.labels.source_pod ?? s.labels.source_namespace ?? '');
  // The response's client, pod-a, is the httpV2 source (sides swapped, as Hubble's v2 handler does).
  t.deepEqual(pods('hubble_http_requests_total'), ['pod-a-7d9f']);
  t.is(m.forgetDeletedPods(() => true), 0);
  // The server pod-b deleted: its series name only its namespace there: they stay.
  t.is(m.forgetDeletedPods((_ns, pod) => pod !== 'pod-b-5c4d'), 0);
  // pod-a deleted: its httpV2 series (request counter and duration histogram) go; flows by namespace stay.
  t.is(m.forgetDeletedPods((_ns, pod) => pod !== 'pod-a-7d9f'), 2);
  t.deepEqual(pods('hubble_http_requests_total'), []);
  t.deepEqual(pods('hubble_flows_processed_total'), ['default', 'default']);
});

test('exemplars=true on http: trace IDs of flows become OpenMetrics exemplars of the request, response and duration series', (t) => {
  const m = new FlowMetrics('http:exemplars=true', { now: () => 100 });
  const traced = (type: L7FlowType, code?: number): Flow => ({
    l7: { type, latency_ns: 2_000_000, http: { method: 'GET', protocol: 'HTTP/1.1', ...(code ? { code } : {}) } },
    traffic_direction: 1, trace_context: { parent: { trace_id: 'abc123' } },
  });
  m.processFlow(traced(L7FlowType.REQUEST));
  m.processFlow(traced(L7FlowType.RESPONSE, 200));
  t.deepEqual(m.notes, []);
  const om = m.expose('openmetrics');
  t.regex(om, /^hubble_http_requests_total\{method="GET",protocol="HTTP\/1\.1",reporter="server"\} 1 # \{traceID="abc123"\} 1 100$/m);
  t.regex(om, /^hubble_http_responses_total\{method="GET",reporter="server",status="200"\} 1 # \{traceID="abc123"\} 1 100$/m);
  // 2 ms falls in the 0.005 bucket: the exemplar sits there, not on every bucket that counts it.
  t.regex(om, /^hubble_http_request_duration_seconds_bucket\{method="GET",reporter="server",le="0\.005"\} 1 # \{traceID="abc123"\} 0\.002 100$/m);
  t.regex(om, /^hubble_http_request_duration_seconds_bucket\{method="GET",reporter="server",le="0\.01"\} 1$/m);
});

test('http and httpV2 write the same metric names: asking for both is refused', (t) => {
  t.is(t.throws(() => new FlowMetrics('http httpV2'))?.message, 'metrics httpV2: conflicts with http (both write hubble_http_requests_total); keep one');
});

test('sourceContext=pod series belong to the source pod only', (t) => {
  const m = new FlowMetrics('flow:sourceContext=pod;destinationContext=namespace');
  m.processFlow(syn);
  t.deepEqual(m.registry.ownerKeys(), ['default/pod-a-7d9f']);
  t.is(m.forgetDeletedPods((_ns, pod) => pod !== 'pod-b-5c4d'), 0, 'the destination is named by namespace only');
  t.is(m.forgetDeletedPods(() => false), 1);
});
