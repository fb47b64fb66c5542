// Proves the field numbers on the wire: messages are built byte by byte from tags, independent of
// protobufjs, then decoded (and for simple cases our encoder must produce the same bytes).
import test from 'ava';
import { flowCodec, flowFilterCodec, getFlowsRequestCodec, getFlowsResponseCodec } from '../../api/codec.ts';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const tag = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
const uint = (field: number, value: number): number[] => [...tag(field, 0), ...varint(value)];
const bytes = (field: number, payload: number[]): number[] => [...tag(field, 2), ...varint(payload.length), ...payload];
const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s)]);

test('tags are computed like the protobuf spec examples', (t) => {
  t.deepEqual(uint(2, 2), [0x10, 0x02]);
  t.deepEqual(tag(26, 2), [0xd2, 0x01]);
  t.deepEqual(tag(100000, 2), [0x82, 0xea, 0x30]);
});

test('Flow fields decode from their numbers', (t) => {
  const wire = Uint8Array.from([
    ...uint(2, 2), // verdict DROPPED
    ...bytes(5, [...str(1, '10.0.0.1'), ...str(2, '10.0.0.2'), ...uint(3, 1)]), // IP
    ...bytes(6, bytes(1, [...uint(2, 80), ...bytes(3, uint(2, 1))])), // l4.TCP.destination_port, flags.SYN
    ...bytes(8, [...uint(2, 16092), ...str(3, 'default'), ...str(5, 'xwing')]), // source
    ...uint(10, 1), // Type L3_L4
    ...str(11, 'node-1'),
    ...bytes(15, [...uint(1, 2), ...bytes(100, [...str(1, 'a.example.'), ...uint(6, 3)])]), // l7.dns
    ...bytes(19, [...uint(1, 1), ...uint(2, 133)]), // event_type
    ...uint(22, 1), // traffic_direction INGRESS
    ...uint(25, 133), // drop_reason_desc POLICY_DENIED
    ...bytes(26, uint(1, 1)), // is_reply true
    ...str(100000, 'TCP Flags: SYN'),
    ...bytes(21005, str(1, 'deny-all')), // ingress_denied_by
  ]);
  t.deepEqual(flowCodec.decode(wire), {
    verdict: 2,
    IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 1 },
    l4: { TCP: { destination_port: 80, flags: { SYN: true } } },
    source: { identity: 16092, namespace: 'default', pod_name: 'xwing' },
    Type: 1,
    node_name: 'node-1',
    l7: { type: 2, dns: { query: 'a.example.', rcode: 3 } },
    event_type: { type: 1, sub_type: 133 },
    traffic_direction: 1,
    drop_reason_desc: 133,
    is_reply: { value: true },
    Summary: 'TCP Flags: SYN',
    ingress_denied_by: [{ name: 'deny-all' }],
  });
});

test('our encoder writes the same bytes for simple fields', (t) => {
  t.deepEqual([...flowCodec.encode({ verdict: 2 })], uint(2, 2));
  t.deepEqual([...flowCodec.encode({ Summary: 'x' })], str(100000, 'x'));
  t.deepEqual([...flowCodec.encode({ is_reply: { value: false } })], bytes(26, []));
});

test('GetFlowsRequest and FlowFilter numbers', (t) => {
  const filter = [...str(2, 'default/'), ...uint(5, 2), ...bytes(6, [...uint(1, 4), ...uint(2, 1), ...uint(3, 3)]), ...str(9, '2+'), ...bytes(23, uint(2, 1)), ...str(24, 'node-*'), ...uint(33, 133)];
  const wire = Uint8Array.from([...uint(1, 20), ...uint(3, 1), ...uint(9, 1), ...bytes(6, filter), ...bytes(5, str(3, '10.0.0.0/8')), ...bytes(7, uint(1, 99))]);
  t.deepEqual(getFlowsRequestCodec.decode(wire), {
    number: 20, follow: true, first: true,
    whitelist: [{ source_pod: ['default/'], verdict: [2], event_type: [{ type: 4, match_sub_type: true, sub_type: 3 }], http_status_code: ['2+'], tcp_flags: [{ SYN: true }], node_name: ['node-*'], drop_reason_desc: [133] }],
    blacklist: [{ destination_ip: ['10.0.0.0/8'] }],
    since: { seconds: 99 },
  });
  // Repeated enums are packed by proto3 encoders; decoders must accept both forms.
  t.deepEqual(flowFilterCodec.decode(Uint8Array.from(bytes(5, [1, 2]))), { verdict: [1, 2] });
});

test('GetFlowsResponse oneof and trailer numbers', (t) => {
  const lost = Uint8Array.from([...bytes(3, [...uint(1, 3), ...uint(2, 12), ...bytes(3, uint(1, 1))]), ...str(1000, 'n1'), ...bytes(1001, uint(1, 7))]);
  t.deepEqual(getFlowsResponseCodec.decode(lost), { lost_events: { source: 3, num_events_lost: 12, cpu: { value: 1 } }, node_name: 'n1', time: { seconds: 7 } });
  const status = Uint8Array.from(bytes(2, [...uint(1, 2), ...str(2, 'n2'), ...str(3, 'connection refused')]));
  t.deepEqual(getFlowsResponseCodec.decode(status), { node_status: { state_change: 2, node_names: ['n2'], message: 'connection refused' } });
});
