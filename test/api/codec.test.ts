import test from 'ava';
import {
  flowCodec, getFlowsRequestCodec, getFlowsResponseCodec, getNodesResponseCodec, serverStatusResponseCodec,
  type Codec,
} from '../../api/codec.ts';
import type { Flow } from '../../api/types.ts';
import { sampleFlow } from './fixtures.ts';


const roundTrips = test.macro({
  exec(t, codec: Codec<any>, message: unknown) {
    const bytes = codec.encode(message);
    t.true(bytes.length > 0);
    t.deepEqual(codec.decode(bytes), message);
  },
  title: (title, codec: Codec<unknown>) => `${codec.typeName} round-trips ${title ?? ''}`.trim(),
});

test('a full flow', roundTrips, flowCodec, sampleFlow);
test('an L7 DNS flow', roundTrips, flowCodec, {
  Type: 2, l7: { type: 2, latency_ns: 2_500_000, dns: { query: 'example.com.', ips: ['93.184.216.34'], ttl: 30, qtypes: ['A'], rrtypes: ['A'] } },
} as Flow);
test('an L7 HTTP flow with 64-bit latency', roundTrips, flowCodec, {
  Type: 2, l7: { type: 2, latency_ns: 2 ** 40 + 3, http: { code: 404, method: 'GET', url: 'http://x/y', protocol: 'HTTP/1.1', headers: [{ key: 'Host', value: 'x' }] } },
} as Flow);
test(roundTrips, getFlowsRequestCodec, {
  number: 20, follow: true, since: { seconds: 10 },
  whitelist: [{ source_pod: ['default/'], verdict: [2], tcp_flags: [{ SYN: true }], event_type: [{ type: 4, match_sub_type: true, sub_type: 3 }], reply: [false] }],
  blacklist: [{ destination_ip: ['10.0.0.0/8'] }],
  field_mask: { paths: ['time', 'source.pod_name'] },
});
test('flow response', roundTrips, getFlowsResponseCodec, { flow: { verdict: 1 }, node_name: 'n1', time: { seconds: 5 } });
test('lost events response', roundTrips, getFlowsResponseCodec, { lost_events: { source: 3, num_events_lost: 12, cpu: { value: 1 } } });
test('node status response', roundTrips, getFlowsResponseCodec, { node_status: { state_change: 2, node_names: ['a', 'b'], message: 'gone' } });
test(roundTrips, serverStatusResponseCodec, {
  num_flows: 4095, max_flows: 4095, seen_flows: 10_000_000_000, uptime_ns: 5e12, num_connected_nodes: { value: 2 },
  num_unavailable_nodes: { value: 1 }, unavailable_nodes: ['c'], version: 'netobs 0.1.0', flows_rate: 12.5,
});
test(roundTrips, getNodesResponseCodec, {
  nodes: [{ name: 'n1', version: 'v', address: '10.0.0.1:4244', state: 1, tls: { enabled: true, server_name: 'n1.netobs' }, uptime_ns: 1, num_flows: 2, max_flows: 3, seen_flows: 4 }],
});

test('zero values are absent after decoding', (t) => {
  const decoded = flowCodec.decode(flowCodec.encode({ verdict: 0, node_name: '', source_names: [] }));
  t.deepEqual(decoded, {});
});
