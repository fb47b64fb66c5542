import test from 'ava';
import { flowSummary } from '../../api/summary.ts';
import type { Flow } from '../../api/types.ts';

const summary = test.macro({
  exec(t, flow: Flow, expected: string) {
    t.is(flowSummary(flow), expected);
  },
  title: (_t, _flow, expected) => `summary ${JSON.stringify(expected)}`,
});

test(summary, { l4: { TCP: { flags: { FIN: true, ACK: true, PSH: true } } } }, 'TCP Flags: ACK, FIN, PSH');
test(summary, { l4: { TCP: {} } }, 'TCP');
test(summary, { l4: { SCTP: {} } }, 'SCTP');
test(summary, { l4: { ICMPv4: { type: 3, code: 3 } } }, 'ICMPv4 DestinationUnreachable(Port)');
test(summary, { l4: { ICMPv4: { type: 0 } } }, 'ICMPv4 EchoReply');
test(summary, { l4: { ICMPv6: { type: 128 } } }, 'ICMPv6 EchoRequest');
test(summary, { l4: { ICMPv6: { type: 200, code: 1 } } }, 'ICMPv6 200(1)');
test(summary, { l7: { type: 2, dns: { query: 'nope.example.', qtypes: ['A', 'AAAA'], rcode: 3 } } }, 'DNS Answer "RCode: NXDomain" TTL: 0 (Query nope.example. A,AAAA)');
test(summary, { l7: { type: 2, latency_ns: 12_900_000, http: { code: 503, method: 'GET', url: 'http://a/b', protocol: 'HTTP/1.0' } } }, 'HTTP/1.0 503 12ms (GET http://a/b)');
test(summary, { Summary: 'from the agent' }, 'from the agent');
test(summary, {}, '');

test('datapath trace points map onto TraceObservationPoint', async (t) => {
  const { traceObservationPointOf } = await import('../../api/names.ts');
  t.deepEqual([0, 2, 3, 5, 11, 12, undefined].map(traceObservationPointOf), [101, 2, 3, 5, 11, 0, 101]);
});
