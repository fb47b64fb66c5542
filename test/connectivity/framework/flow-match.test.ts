import test from 'ava';
import { DropReason, FlowType, Verdict, type Flow } from '../../../api/types.ts';
import { anyPolicyDrop, denyRule, deniedBy, success } from '../../../connectivity/framework/expect.ts';
import { flowDirection, flowFilters, flowSides, normalizeIP, relatedFlows, validateFlows } from '../../../connectivity/framework/flow-match.ts';
import type { Expectation } from '../../../connectivity/framework/types.ts';
import { action, okResult, policyDrop, tcpConnection, tcpFlow, timeoutResult } from '../helpers.ts';

const C = '10.0.1.10';
const E = '10.0.1.20';
const SPORT = 40000;
const conn = () => tcpConnection(C, SPORT, E, 8080);
const noise = () => tcpConnection(C, 40001, E, 8080); // another connection of the same pods

const validates = test.macro({
  exec(t, flows: Flow[], expected: Expectation, problems: RegExp[]) {
    const result = expected.outcome === 'success' ? okResult() : timeoutResult();
    const got = validateFlows(action('http'), expected, result, flows);
    t.is(got.length, problems.length, got.join('; '));
    problems.forEach((re, i) => t.regex(got[i]!, re));
  },
  title: (title) => title ?? '',
});

test('allowed connection: SYN, SYN-ACK, FIN in order', validates, conn(), success(), []);
test('allowed connection: only another port\'s flows', validates, noise(), success(), [/no FORWARDED SYN/]);
test('allowed connection: SYN-ACK missing', validates, conn().filter((f) => !(f.l4?.TCP?.flags?.SYN && f.l4.TCP.flags.ACK)), success(), [/no FORWARDED SYN-ACK/]);
test('allowed connection: FIN missing', validates, conn().filter((f) => !f.l4?.TCP?.flags?.FIN), success(), [/no FORWARDED FIN/]);
test('allowed connection: SYN-ACK before SYN is not a handshake', validates,
  [tcpFlow(1, E, 8080, C, SPORT, { SYN: true, ACK: true }), tcpFlow(2, C, SPORT, E, 8080, { SYN: true }), tcpFlow(3, C, SPORT, E, 8080, { FIN: true })],
  success(), [/no FORWARDED SYN-ACK after the SYN/]);
test('allowed connection: order comes from flow time, not arrival', validates, [...conn()].reverse(), success(), []);
test('allowed connection: a drop among the flows fails it', validates, [...conn(), policyDrop(C, SPORT, E, 8080, 'p')], success(), [/unexpected DROPPED flow \(POLICY_DENIED by p\)/]);
test('allowed connection: DROPPED SYN is not FORWARDED', validates, [tcpFlow(1, C, SPORT, E, 8080, { SYN: true }, Verdict.DROPPED)], success(), [/unexpected DROPPED/, /no FORWARDED SYN/]);

test('denied: POLICY_DENIED naming the policy', validates, [policyDrop(C, SPORT, E, 8080, 'echo-deny')], deniedBy('echo-deny'), []);
test('denied: POLICY_DENY by a deny rule', validates, [policyDrop(C, SPORT, E, 8080, 'deny-client2', DropReason.POLICY_DENY)], denyRule('deny-client2'), []);
test('denied: either reason accepted when asked', validates, [policyDrop(C, SPORT, E, 8080, 'p', DropReason.POLICY_DENY)], anyPolicyDrop('p'), []);
test('denied: wrong reason', validates, [policyDrop(C, SPORT, E, 8080, 'p', DropReason.POLICY_DENY)], deniedBy('p'), [/DROPPED with POLICY_DENY, expected POLICY_DENIED/]);
test('denied: other drop reason', validates, [policyDrop(C, SPORT, E, 8080, 'p', DropReason.CT_MAP_INSERTION_FAILED)], anyPolicyDrop('p'), [/CT_MAP_INSERTION_FAILED/]);
test('denied: another policy named', validates, [policyDrop(C, SPORT, E, 8080, 'other')], deniedBy('p'), [/no drop names policy p \(denied by other\)/]);
test('denied: no policy in the flow', validates, [{ ...policyDrop(C, SPORT, E, 8080, 'x'), ingress_denied_by: [] }], deniedBy('p'), [/no denying policy in the flows/]);
test('denied: egress_denied_by counts too', validates, [{ ...policyDrop(C, SPORT, E, 8080, 'x'), ingress_denied_by: [], egress_denied_by: [{ name: 'p' }] }], deniedBy('p'), []);
test('denied: but forwarded', validates, conn(), deniedBy('p'), [/no DROPPED flow for the request \(3 FORWARDED\)/]);
test('denied: a dropped reply does not count', validates, [policyDrop(E, 8080, C, SPORT, 'p')], deniedBy('p'), [/no DROPPED flow/]);

test('L7 HTTP and DNS expectations', (t) => {
  const l7 = (over: Flow): Flow => ({ time: { seconds: 1, nanos: 9 }, verdict: Verdict.FORWARDED, Type: FlowType.L7, IP: { source: C, destination: E }, l4: { TCP: { source_port: SPORT, destination_port: 8080 } }, ...over });
  const req = l7({ l7: { type: 1, http: { method: 'GET', url: 'http://10.0.1.20:8080/l7?x=1' } } });
  const res = l7({ IP: { source: E, destination: C }, l4: { TCP: { source_port: 8080, destination_port: SPORT } }, l7: { type: 2, http: { method: 'GET', url: 'http://10.0.1.20:8080/l7?x=1', code: 200 } } });
  const want = success({ http: { method: 'GET', path: '/l7', code: 200 } });
  t.deepEqual(validateFlows(action('http'), want, okResult(), [...conn(), req, res]), []);
  t.deepEqual(validateFlows(action('http'), want, okResult(), [...conn(), req]), ['no L7 HTTP flow with status 200']);
  t.deepEqual(validateFlows(action('http'), success({ http: { method: 'POST', path: '/l7', code: 200 } }), okResult(), [...conn(), req, res]), ['no L7 HTTP flow for POST /l7']);

  const dnsAction = action('dns', { probe: { kind: 'dns', target: 'echo.netobs.test', server: `${E}:53`, timeoutMs: 2000 } });
  const udp = (src: string, sp: number, dst: string, dp: number, over: Flow = {}): Flow => ({ time: { seconds: 1 }, verdict: Verdict.FORWARDED, Type: FlowType.L3_L4, IP: { source: src, destination: dst }, l4: { UDP: { source_port: sp, destination_port: dp } }, ...over });
  const q = udp(C, SPORT, E, 53, { Type: FlowType.L7, l7: { type: 1, dns: { query: 'echo.netobs.test.' } } });
  const r = okResult({ kind: 'dns' });
  t.deepEqual(validateFlows(dnsAction, success({ dns: { query: 'echo.netobs.test' } }), r, [udp(C, SPORT, E, 53), udp(E, 53, C, SPORT), q]), []);
  t.deepEqual(validateFlows(dnsAction, success({ dns: { query: 'echo.netobs.test' } }), r, [udp(C, SPORT, E, 53)]), [
    'no FORWARDED UDP reply from echo-same-node to client', 'no L7 DNS flow for echo.netobs.test',
  ]);
});

test('ICMP: request and reply', (t) => {
  const icmp = (src: string, dst: string, type: number): Flow => ({ time: { seconds: 1 }, verdict: Verdict.FORWARDED, IP: { source: src, destination: dst }, l4: { ICMPv4: { type } } });
  const a = action('icmp', { probe: { kind: 'icmp', target: E, timeoutMs: 2000 } });
  const r = okResult({ kind: 'icmp', localPort: undefined });
  t.deepEqual(validateFlows(a, success(), r, [icmp(C, E, 8), icmp(E, C, 0)]), []);
  t.deepEqual(validateFlows(a, success(), r, [icmp(C, E, 8), tcpFlow(2, E, 1, C, 2, {})]), ['no FORWARDED ICMP reply from echo-same-node to client']);
});

test('sides include what the probe saw: translated service addresses and IPv4-mapped client', (t) => {
  const a = action('http', { destination: { name: 'svc', role: 'echo-same-node', ips: ['10.96.0.20'] } });
  const sides = flowSides(a, okResult({ localAddress: '::ffff:10.0.1.10', remoteAddress: '10.96.0.20' }));
  t.deepEqual([...sides.sourceIPs], [C]);
  t.is(sides.sourcePort, SPORT);
  // The backend pod behind the VIP is not known to the sides unless listed: its flows are unrelated.
  t.is(flowDirection(tcpFlow(1, C, SPORT, '10.96.0.20', 8080, { SYN: true }), sides), 'request');
  t.is(flowDirection(tcpFlow(1, '10.96.0.20', 8080, C, SPORT, { SYN: true, ACK: true }), sides), 'reply');
  t.is(flowDirection(tcpFlow(1, C, SPORT, E, 8080, { SYN: true }), sides), undefined);
  t.is(flowDirection({ ...tcpFlow(1, C, SPORT, '10.96.0.20', 8080, {}), l4: { UDP: { source_port: SPORT, destination_port: 8080 } } }, sides), undefined);
  t.deepEqual(flowFilters(sides), [
    { source_ip: [C], destination_ip: ['10.96.0.20'] },
    { source_ip: ['10.96.0.20'], destination_ip: [C] },
  ]);
  t.is(normalizeIP('::ffff:1.2.3.4'), '1.2.3.4');
  t.is(normalizeIP('fd00::1'), 'fd00::1');
  t.is(relatedFlows([...noise(), ...conn()], flowSides(action('http'), okResult())).length, 5);
});
