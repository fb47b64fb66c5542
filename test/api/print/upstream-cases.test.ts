// The cases hubble's own printer tests check (hubble/pkg/printer/printer_test.go), with the
// outputs that file expects: if these pass, netobs prints these flows byte for byte as hubble.
import test from 'ava';
import { FlowPrinter, type OutputFormat, type PrintOptions } from '../../../api/print/printer.ts';
import type { Flow, GetFlowsResponse } from '../../../api/types.ts';

const f: Flow = {
  time: { seconds: 1234, nanos: 567_800_000 }, Type: 1, node_name: 'k8s1', verdict: 2,
  IP: { source: '1.1.1.1', destination: '2.2.2.2' },
  source: { identity: 4 }, destination: { identity: 12345 },
  l4: { TCP: { source_port: 31793, destination_port: 8080 } },
  event_type: { type: 1, sub_type: 133 }, Summary: 'TCP Flags: SYN', is_reply: { value: false },
};
const reply: Flow = { ...f, is_reply: { value: true } };
const unknown: Flow = { ...f, is_reply: undefined };
const policyDenied: Flow = { ...f, event_type: { type: 5 }, is_reply: undefined, traffic_direction: 2 };

function print(format: OutputFormat, options: PrintOptions, res: GetFlowsResponse): string {
  let out = '';
  const p = new FlowPrinter(format, { out: (s) => (out += s), err: () => {} }, options);
  p.write(res);
  p.close();
  return out.trim();
}

const cases = test.macro({
  exec(t, format: OutputFormat, options: PrintOptions, flow: Flow, expected: string) {
    // Like the upstream test, compare with surrounding white space trimmed.
    t.is(print(format, { ipTranslation: false, ...options }, { flow }), expected.trim());
  },
  title: (title) => title ?? '',
});

test('tabular', cases, 'table', {}, f,
  'TIMESTAMP             SOURCE          DESTINATION    TYPE            VERDICT   SUMMARY\n' +
  'Jan  1 00:20:34.567   1.1.1.1:31793   2.2.2.2:8080   Policy denied   DROPPED   TCP Flags: SYN');
test('tabular-with-node', cases, 'table', { nodeName: true }, f,
  'TIMESTAMP             NODE   SOURCE          DESTINATION    TYPE            VERDICT   SUMMARY\n' +
  'Jan  1 00:20:34.567   k8s1   1.1.1.1:31793   2.2.2.2:8080   Policy denied   DROPPED   TCP Flags: SYN');
test('compact', cases, 'compact', {}, f,
  'Jan  1 00:20:34.567: 1.1.1.1:31793 (health) -> 2.2.2.2:8080 (ID:12345) Policy denied DROPPED (TCP Flags: SYN)');
test('compact-with-node', cases, 'compact', { nodeName: true }, f,
  'Jan  1 00:20:34.567 [k8s1]: 1.1.1.1:31793 (health) -> 2.2.2.2:8080 (ID:12345) Policy denied DROPPED (TCP Flags: SYN)');
test('compact-reply', cases, 'compact', { nodeName: true }, reply,
  'Jan  1 00:20:34.567 [k8s1]: 2.2.2.2:8080 (ID:12345) <- 1.1.1.1:31793 (health) Policy denied DROPPED (TCP Flags: SYN)');
test('compact-policy-verdict-denied', cases, 'compact', { nodeName: true }, policyDenied,
  'Jan  1 00:20:34.567 [k8s1]: 1.1.1.1:31793 (health) <> 2.2.2.2:8080 (ID:12345) policy-verdict:none EGRESS DENIED (TCP Flags: SYN)');
test('compact-direction-unknown', cases, 'compact', { nodeName: true }, unknown,
  'Jan  1 00:20:34.567 [k8s1]: 1.1.1.1:31793 (health) <> 2.2.2.2:8080 (ID:12345) Policy denied DROPPED (TCP Flags: SYN)');
test('compact-colored', cases, 'compact', { color: true }, f,
  'Jan  1 00:20:34.567: \x1b[36m1.1.1.1:\x1b[33m31793\x1b[0m\x1b[0m \x1b[35m(health)\x1b[0m -> ' +
  '\x1b[36m2.2.2.2:\x1b[33m8080\x1b[0m\x1b[0m \x1b[35m(ID:12345)\x1b[0m Policy denied \x1b[31mDROPPED\x1b[0m (TCP Flags: SYN)');
test('jsonpb', cases, 'jsonpb', {}, f,
  '{"flow":{"time":"1970-01-01T00:20:34.567800Z","verdict":"DROPPED","IP":{"source":"1.1.1.1","destination":"2.2.2.2"},' +
  '"l4":{"TCP":{"source_port":31793,"destination_port":8080}},"source":{"identity":4},"destination":{"identity":12345},' +
  '"Type":"L3_L4","node_name":"k8s1","event_type":{"type":1,"sub_type":133},"is_reply":false,"Summary":"TCP Flags: SYN"}}');
test('jsonpb-terminal-escaped keeps control characters JSON-escaped', cases, 'jsonpb', {}, { Summary: 'my-topic\x1b[30mblack\x1b[0m\x1b\r' },
  '{"flow":{"Summary":"my-topic\\u001b[30mblack\\u001b[0m\\u001b\\r"}}');
test('dict', cases, 'dict', {}, f,
  '  TIMESTAMP: Jan  1 00:20:34.567\n     SOURCE: 1.1.1.1:31793\nDESTINATION: 2.2.2.2:8080\n' +
  '       TYPE: Policy denied\n    VERDICT: DROPPED\n    SUMMARY: TCP Flags: SYN');
test('dict-with-node', cases, 'dict', { nodeName: true }, f,
  '  TIMESTAMP: Jan  1 00:20:34.567\n       NODE: k8s1\n     SOURCE: 1.1.1.1:31793\nDESTINATION: 2.2.2.2:8080\n' +
  '       TYPE: Policy denied\n    VERDICT: DROPPED\n    SUMMARY: TCP Flags: SYN');

const lost: GetFlowsResponse = { lost_events: { source: 3, num_events_lost: 1, cpu: { value: 5 } } };

test('lost events, tabular, compact, jsonpb and dict', (t) => {
  t.is(print('table', {}, lost),
    'TIMESTAMP   SOURCE               DESTINATION   TYPE          VERDICT   SUMMARY\n' +
    '            HUBBLE_RING_BUFFER                 EVENTS LOST             CPU(5) - 1');
  t.is(print('compact', {}, lost), 'EVENTS LOST: HUBBLE_RING_BUFFER CPU(5) 1');
  t.is(print('jsonpb', {}, lost), '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"1","cpu":5}}');
  t.is(print('dict', {}, lost), 'TIMESTAMP: \n     SOURCE: HUBBLE_RING_BUFFER\n       TYPE: EVENTS LOST\n    VERDICT: \n    SUMMARY: CPU(5) - 1');
});

test('host names: pods, services, DNS names and MAC addresses', (t) => {
  const hosts = (flow: Flow): string => print('dict', {}, { flow }).split('\n').slice(1, 3).join(' | ');
  const ip = { source: '1.1.1.1', destination: '2.2.2.2' };
  t.is(hosts({ IP: ip, source: { namespace: 'srcns', pod_name: 'srcpod' }, destination: { namespace: 'dstns', pod_name: 'dstpod' } }),
    '     SOURCE: srcns/srcpod | DESTINATION: dstns/dstpod');
  t.is(hosts({ IP: ip, l4: { SCTP: { source_port: 55555, destination_port: 5060 } } }), '     SOURCE: 1.1.1.1:55555 | DESTINATION: 2.2.2.2:5060');
  t.is(hosts({ IP: ip, l4: { UDP: { source_port: 55555, destination_port: 53 } }, source_service: { name: 'xwing', namespace: 'default' }, destination_service: { name: 'tiefighter', namespace: 'deathstar' } }),
    '     SOURCE: default/xwing:55555 | DESTINATION: deathstar/tiefighter:53');
  t.is(hosts({ IP: ip, l4: { TCP: { source_port: 54321, destination_port: 65432 } }, source_names: ['a'], destination_names: ['b'] }),
    '     SOURCE: a:54321 | DESTINATION: b:65432');
  t.is(hosts({ ethernet: { source: '00:01:02:03:04:05', destination: '06:07:08:09:0a:0b' } }),
    '     SOURCE: 00:01:02:03:04:05 | DESTINATION: 06:07:08:09:0a:0b');
});
