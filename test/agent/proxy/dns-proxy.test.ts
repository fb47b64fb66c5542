import test from 'ava';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { aRecord, buildQuery, buildResponse, parseAnswers, parseQuery } from '../../../lab/node/dns-codec.ts';
import { DnsPolicyProxy, type DnsDecision, type DnsProxyRecord, type DnsQueryEnds } from '../../../agent/proxy/dns-proxy.ts';
import type { DnsMessage } from '../../../agent/flows/dns.ts';

const POLICY = { kind: 'NetworkPolicy', namespace: 'default', name: 'fqdn' } as const;

/** An upstream answering every A query with 198.18.0.11, counting what it was asked. */
async function upstream(t: { teardown(f: () => void): void }): Promise<{ port: number; asked: string[] }> {
  const s = dgram.createSocket('udp4');
  const asked: string[] = [];
  s.on('message', (m, r) => {
    const q = parseQuery(m);
    asked.push(q.questions[0]!.name);
    s.send(buildResponse(q, [aRecord(q.questions[0]!.name, '198.18.0.11', 7)], 0), r.port, r.address);
  });
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  t.teardown(() => s.close());
  return { port: s.address().port, asked };
}

function setup(decision: DnsDecision, port: number, learn?: (m: DnsMessage) => Promise<void>) {
  const records: DnsProxyRecord[] = [];
  const learnt: DnsMessage[] = [];
  const proxy = new DnsPolicyProxy({
    decide: () => decision,
    learn: async (_q, m) => {
      await learn?.(m);
      learnt.push(m);
    },
    onRecord: (r) => records.push(r),
  }, { upstreamTimeoutMs: 2000 });
  const ends: DnsQueryEnds = { endpointId: 7, client: { address: '10.0.0.5', port: 40000 }, server: { address: '127.0.0.1', port } };
  return { proxy, records, learnt, ends };
}

const RULES: DnsDecision = { kind: 'dns', rules: [{ policy: POLICY, rules: [{ matchPattern: '*.world.lab' }] }] };

test('a selected name is forwarded, learnt, then relayed; records name the policy', async (t) => {
  const up = await upstream(t);
  const { proxy, records, learnt, ends } = setup(RULES, up.port);
  const out = await proxy.handle(buildQuery(0x1234, 'API.world.lab'), ends);
  t.truthy(out);
  t.deepEqual(parseAnswers(out!), { rcode: 0, ips: ['198.18.0.11'] });
  t.is(out!.readUInt16BE(0), 0x1234);
  t.deepEqual(up.asked, ['api.world.lab']);
  t.is(learnt.length, 1);
  t.deepEqual(learnt[0]!.answers.map((a) => [a.data, a.ttl]), [['198.18.0.11', 7]]);
  t.deepEqual(records.map((r) => [r.type, r.verdict, r.policies]), [['request', 'forwarded', [POLICY]], ['response', 'forwarded', [POLICY]]]);
  t.true((records[1]!.latencyNs ?? 0) > 0);
});

test('a name no rule selects is REFUSED without asking the server', async (t) => {
  const up = await upstream(t);
  const { proxy, records, learnt, ends } = setup(RULES, up.port);
  for (const name of ['api.other.lab', 'a.b.world.lab']) {
    const out = await proxy.handle(buildQuery(9, name), ends);
    t.is(parseAnswers(out!).rcode, 5, name);
    t.is(out!.readUInt16BE(0), 9);
    t.true((out!.readUInt16BE(2) & 0x8000) !== 0, 'a response');
    t.deepEqual(parseQuery(out!).questions.map((q) => q.name), [name]);
  }
  t.deepEqual(up.asked, []);
  t.is(learnt.length, 0);
  t.deepEqual(records.map((r) => [r.type, r.verdict, r.message.rcode]), [['request', 'dropped', 0], ['response', 'dropped', 5], ['request', 'dropped', 0], ['response', 'dropped', 5]]);
});

test('a query the L3/L4 policy denies is REFUSED; a plain allow forwards any name', async (t) => {
  const up = await upstream(t);
  const denied = setup({ kind: 'denied', policies: [] }, up.port);
  t.is(parseAnswers((await denied.proxy.handle(buildQuery(1, 'api.world.lab'), denied.ends))!).rcode, 5);
  const all = setup({ kind: 'all', policies: [POLICY] }, up.port);
  t.is(parseAnswers((await all.proxy.handle(buildQuery(2, 'anything.else'), all.ends))!).rcode, 0);
  t.deepEqual(up.asked, ['anything.else']);
});

test('the answer is held until learning settles', async (t) => {
  const up = await upstream(t);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { proxy, ends } = setup(RULES, up.port, () => gate);
  let settled = false;
  const p = proxy.handle(buildQuery(3, 'api.world.lab'), ends).then((b) => ((settled = true), b));
  await new Promise((r) => setTimeout(r, 200));
  t.false(settled);
  release();
  t.truthy(await p);
});

test('malformed queries and responses get no reply', async (t) => {
  const up = await upstream(t);
  const { proxy, ends } = setup(RULES, up.port);
  t.is(await proxy.handle(Buffer.from([1, 2, 3]), ends), undefined);
  const response = buildResponse(parseQuery(buildQuery(4, 'api.world.lab')), [], 0);
  t.is(await proxy.handle(response, ends), undefined);
  t.deepEqual(up.asked, []);
});

// A hostile pod hides a name no rule selects behind one that is selected, in one query: the proxy
// judges single-question queries only, so this one is neither forwarded nor answered.
test('a query with a second, unselected question is neither forwarded nor answered', async (t) => {
  const up = await upstream(t);
  const { proxy, ends } = setup(RULES, up.port);
  const first = buildQuery(5, 'api.world.lab');
  const two = Buffer.concat([first, buildQuery(5, 'exfil.evil.lab').subarray(12)]);
  two.writeUInt16BE(2, 4);
  t.is(parseQuery(two).questions.length, 2);
  t.is(await proxy.handle(two, ends), undefined);
  t.deepEqual(up.asked, []);
});
