import test from 'ava';
import { answer } from '../../../connectivity/probe/dns-server.ts';
import { decodeMessage, encodeQuery, encodeResponse, QTYPE } from '../../../connectivity/probe/dns-wire.ts';
import { checksum, echoRequest, parseIcmp } from '../../../connectivity/probe/icmp.ts';
import { candidateNames, parseResolvConf } from '../../../connectivity/probe/resolv-conf.ts';
import { errorCode, formatHostPort, parseHostPort, ProbeTimeout } from '../../../connectivity/probe/target.ts';

test('dns: query and response round-trip, with a compressed answer name and AAAA text', (t) => {
  const q = decodeMessage(encodeQuery(0x1234, 'Echo.NetObs.Test.', QTYPE.A));
  t.deepEqual(q, { id: 0x1234, response: false, rcode: 0, recursionDesired: true, questions: [{ name: 'echo.netobs.test', type: 1 }], answers: [] });
  const res = decodeMessage(encodeResponse(q, 0, [
    { name: 'echo.netobs.test', type: QTYPE.A, ttl: 5, data: '10.0.1.20' },
    { name: 'echo.netobs.test', type: QTYPE.AAAA, ttl: 5, data: 'fd00::20' },
    { name: 'echo.netobs.test', type: QTYPE.CNAME, ttl: 5, data: 'other.netobs.test' },
  ]));
  t.true(res.response);
  t.deepEqual(res.answers.map((a) => a.data), ['10.0.1.20', 'fd00::20', 'other.netobs.test']);

  // A real server's answer: name as a pointer to the question (0xc00c).
  const wire = Buffer.concat([encodeQuery(7, 'a.b', QTYPE.A), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 1, 2, 3, 4])]);
  wire.writeUInt16BE(0x8180, 2);
  wire.writeUInt16BE(1, 6);
  const m = decodeMessage(wire);
  t.deepEqual(m.answers, [{ name: 'a.b', type: 1, ttl: 30, data: '1.2.3.4' }]);
  t.throws(() => decodeMessage(Buffer.alloc(5)), { message: /shorter than its header/ });
});

test('dns responder: zone rules', (t) => {
  const ask = (name: string, type: number = QTYPE.A) => answer(decodeMessage(encodeQuery(1, name, type)), 'netobs.test', ['10.0.1.20', 'fd00::20']);
  t.deepEqual(ask('echo.netobs.test'), { rcode: 0, answers: [{ name: 'echo.netobs.test', type: 1, ttl: 5, data: '10.0.1.20' }] });
  t.deepEqual(ask('ECHO.netobs.test.', QTYPE.AAAA).answers.map((a) => a.data), ['fd00::20']);
  t.is(ask('other.netobs.test').rcode, 3);
  t.is(ask('netobs.test').rcode, 3);
  t.is(ask('example.com').rcode, 5);
  t.is(ask('notnetobs.test').rcode, 5);
});

test('resolv.conf and the search order', (t) => {
  const conf = parseResolvConf('# kubelet\nnameserver 10.96.0.10\nnameserver 10.96.0.11\nsearch netobs-test.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1\n');
  t.deepEqual(conf, { nameservers: ['10.96.0.10', '10.96.0.11'], search: ['netobs-test.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  t.deepEqual(candidateNames('echo-same-node', conf), [
    'echo-same-node.netobs-test.svc.cluster.local', 'echo-same-node.svc.cluster.local', 'echo-same-node.cluster.local', 'echo-same-node',
  ]);
  t.deepEqual(candidateNames('one.one.one.one.', conf), ['one.one.one.one']);
  t.deepEqual(candidateNames('a.b', { ...conf, ndots: 1 }), ['a.b', 'a.b.netobs-test.svc.cluster.local', 'a.b.svc.cluster.local', 'a.b.cluster.local']);
  t.deepEqual(parseResolvConf(''), { nameservers: [], search: [], ndots: 1 });
});

test('icmp: checksum and packet parsing', (t) => {
  const req = echoRequest(0xbeef, 3, Buffer.from('netobs-probe'));
  t.is(checksum(req), 0, 'a packet with its checksum sums to zero');
  const reply = Buffer.from(req);
  reply[0] = 0;
  t.deepEqual(parseIcmp(reply, false, undefined), { kind: 'reply', from: '', seq: 3 });
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip[9] = 1;
  Buffer.from([10, 0, 1, 20]).copy(ip, 12);
  t.deepEqual(parseIcmp(Buffer.concat([ip, reply]), true, 0xbeef), { kind: 'reply', from: '10.0.1.20', seq: 3 });
  t.is(parseIcmp(Buffer.concat([ip, reply]), true, 0x1111), undefined, 'another process\'s reply');
  t.is(parseIcmp(Buffer.concat([ip, req]), true, 0xbeef), undefined, 'our own request');
  const unreach = Buffer.concat([Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), ip, req.subarray(0, 8)]);
  t.deepEqual(parseIcmp(Buffer.concat([ip, unreach]), true, 0xbeef), { kind: 'unreachable', from: '10.0.1.20', code: 1 });
});

test('targets and error codes', (t) => {
  t.deepEqual(parseHostPort('10.0.0.1:8080'), { host: '10.0.0.1', port: 8080 });
  t.deepEqual(parseHostPort('[fd00::1]:53'), { host: 'fd00::1', port: 53 });
  t.deepEqual(parseHostPort('echo-same-node.netobs-test', 80), { host: 'echo-same-node.netobs-test', port: 80 });
  for (const bad of ['10.0.0.1', 'h:0', 'h:70000', ':80', 'fd00::1:53']) t.throws(() => parseHostPort(bad), { message: /invalid target/ }, bad);
  t.is(formatHostPort('fd00::1', 53), '[fd00::1]:53');
  t.is(errorCode(new ProbeTimeout(5)), 'timeout');
  t.is(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })), 'refused');
  t.is(errorCode(Object.assign(new Error('x'), { code: 'EAI_AGAIN' })), 'dns');
  t.is(errorCode(new Error('x')), 'error');
});
