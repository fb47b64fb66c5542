import test from 'ava';
import { flowSummary, goQuote, printedSummary } from '../../api/summary.ts';
import type { Flow } from '../../api/types.ts';

const summary = test.macro({
  exec(t, flow: Flow, expected: string) {
    t.is(flowSummary(flow), expected);
  },
  title: (title, flow, expected) => title ?? `summary ${JSON.stringify(expected)} of ${JSON.stringify(flow)}`,
});

test(summary, { l4: { TCP: { flags: { FIN: true, ACK: true, PSH: true } } } }, 'TCP Flags: ACK, FIN, PSH');
test(summary, { l4: { TCP: {} } }, 'TCP Flags: ');
test(summary, { l4: { TCP: { flags: { NS: true, CWR: true, ECE: true, URG: true, PSH: true, FIN: true, RST: true, ACK: true, SYN: true } } } }, 'TCP Flags: SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS');
test(summary, { l4: { UDP: {} } }, 'UDP');
test(summary, { l4: { SCTP: {} } }, 'SCTP');
test(summary, { l4: { ICMPv4: { type: 3, code: 3 } } }, 'ICMPv4 DestinationUnreachable(Port)');
test(summary, { l4: { ICMPv4: { type: 0 } } }, 'ICMPv4 EchoReply');
test(summary, { l4: { ICMPv6: { type: 128 } } }, 'ICMPv6 EchoRequest');
test(summary, { l4: { ICMPv6: { type: 200, code: 1 } } }, 'ICMPv6 200(1)');
test(summary, { l4: { ICMPv4: { type: 5, code: 2 } } }, 'ICMPv4 Redirect(TOS+Net)');
test(summary, { l4: { ICMPv4: { type: 8, code: 1 } } }, 'ICMPv4 EchoRequest(Code: 1)');
test(summary, { l4: { ICMPv4: { type: 3, code: 99 } } }, 'ICMPv4 DestinationUnreachable(Code: 99)');
test(summary, { l4: { ICMPv4: { type: 17 } } }, 'ICMPv4 AddressMaskRequest');
test(summary, { l4: { ICMPv6: { type: 1, code: 4 } } }, 'ICMPv6 DestinationUnreachable(PortUnreachable)');
test(summary, { IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 1 } }, 'IPv4');
test(summary, { IP: { source: 'fd00::1', destination: 'fd00::2', ipVersion: 2 } }, 'IPv6');
test(summary, { ethernet: { source: 'a', destination: 'b' } }, 'Ethernet');
test(summary, { l7: { type: 2, dns: { query: 'nope.example.', qtypes: ['A', 'AAAA'], rcode: 3 } } }, 'DNS Answer RCode: Non-Existent Domain TTL: 0 (Query nope.example. A,AAAA)');
test(summary, { l7: { type: 2, dns: { query: 'x.', qtypes: ['A'], rcode: 2, observation_source: 'proxy' } } }, 'DNS Answer RCode: Server Failure  TTL: 0 (Proxy x. A)');
test(summary, { l7: { type: 2, dns: { query: 'x.', qtypes: ['A'], ips: ['1.1.1.1'], cnames: ['a.', 'b.'], ttl: 9 } } }, 'DNS Answer "1.1.1.1" CNAMEs: "a.,b." TTL: 9 (Query x. A)');
test(summary, { l7: { type: 2, dns: { query: 'x.', qtypes: ['A'] } } }, 'DNS Answer  TTL: 0 (Query x. A)');
test(summary, { l7: { type: 1, dns: { query: 'x.', qtypes: ['A', 'Unknown'] } } }, 'DNS Query x. A,Unknown');
test(summary, { l7: { type: 3, dns: { query: 'x.' } } }, '');
test(summary, { l7: { type: 1, http: { method: 'GET', url: 'http://a/', protocol: 'HTTP/1.1' } }, l4: { TCP: {} } }, 'HTTP/1.1 GET http://a/');
test(summary, { l7: { type: 2, latency_ns: 12_900_000, http: { code: 503, method: 'GET', url: 'http://a/b', protocol: 'HTTP/1.0' } } }, 'HTTP/1.0 503 12ms (GET http://a/b)');
test('the printed summary is the Summary field when the server set one', (t) => {
  t.is(printedSummary({ Summary: 'from the agent', l4: { UDP: {} } }), 'from the agent');
  t.is(printedSummary({ Summary: '', l4: { UDP: {} } }), 'UDP');
});

test('goQuote quotes as Go\'s %q does', (t) => {
  t.is(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  t.is(goQuote('tab\there\n\x07\x7f\u200b é'), '"tab\\there\\n\\a\\x7f\\u200b é"');
});
test(summary, {}, '');

test('datapath trace points map onto TraceObservationPoint', async (t) => {
  const { traceObservationPointOf } = await import('../../api/names.ts');
  t.deepEqual([0, 2, 3, 5, 11, 12, undefined].map(traceObservationPointOf), [101, 2, 3, 5, 11, 0, 101]);
});

test('drop reason texts of every DropReason the compat facts list, and unknown reasons as cilium prints them', async (t) => {
  const { dropReasonText, DROP_REASON_ENUM } = await import('../../api/names.ts');
  const expected: Record<string, string> = {
    DROP_REASON_UNKNOWN: 'Success', INVALID_SOURCE_IP: 'Invalid source ip', POLICY_DENIED: 'Policy denied',
    INVALID_PACKET_DROPPED: 'Invalid packet', CT_TRUNCATED_OR_INVALID_HEADER: 'CT: Truncated or invalid header',
    CT_UNKNOWN_L4_PROTOCOL: 'CT: Unknown L4 protocol', UNSUPPORTED_L3_PROTOCOL: 'Unsupported L3 protocol',
    UNKNOWN_L4_PROTOCOL: 'Unknown L4 protocol', UNKNOWN_ICMPV4_TYPE: 'Unknown ICMPv4 type',
    INVALID_IPV6_EXTENSION_HEADER: 'Invalid IPv6 extension header', IP_FRAGMENTATION_NOT_SUPPORTED: 'IP fragmentation not supported',
    SERVICE_BACKEND_NOT_FOUND: 'Service backend not found', CT_MAP_INSERTION_FAILED: 'CT: Map insertion failed',
    POLICY_DENY: 'Policy denied by denylist', DROP_EP_NOT_READY: 'Endpoint policy program not available',
  };
  for (const [name, text] of Object.entries(expected)) t.is(dropReasonText(DROP_REASON_ENUM[name]), text, name);
  t.is(dropReasonText(250), '250, 0');
  t.is(dropReasonText(159), '159, 0');
});

test('names as cilium and gopacket print them', async (t) => {
  const n = await import('../../api/names.ts');
  t.is(n.tracePointName(42), '42');
  t.is(n.policyMatchName(9), 'unknown');
  t.is(n.policyMatchName(0), 'none');
  t.is(n.dnsTypeName(35), 'Unknown');
  t.is(n.dnsTypeName(65), 'HTTPS');
  t.is(n.dnsRcodeText(99), 'Unknown');
  t.is(n.RESERVED_IDENTITY[11], 'overlay-to-encrypt');
});
