// GET /v1/maps/NAME reads only the page asked for from the kernel: a limit=1 request on a
// full 262144-entry conntrack map costs a few bpf() calls, and following the continue tokens
// visits every entry exactly once. Real maps (the datapath object loaded unpinned), counted
// bpf() reads.
import test from 'ava';
import { routeStatus } from '../../../agent/server/routes.ts';
import type { Agent } from '../../../agent/runtime/agent.ts';
import { RuleIds } from '../../../agent/datapath/rule-ids.ts';
import type { MapEntriesPage } from '../../../api/status/types.ts';
import { openTestDatapath } from '../../bpf/support/fixture.ts';

const N = 262_144;

function fill(dp: ReturnType<typeof openTestDatapath>, count: number): number {
  const m = dp.conntrack.tcp;
  const key = new Uint8Array(m.info.keySize);
  const kv = new DataView(key.buffer);
  const value = new Uint8Array(m.info.valueSize);
  key[36] = 6; // TCP
  for (let i = 0; i < count; i++) {
    kv.setUint32(12, 0x0a000000 + i, false); // saddr 10.x.y.z as a v4-mapped address
    kv.setUint16(32, 1024 + (i % 60000), false);
    m.update(key, value);
  }
  let n = 0;
  for (const _ of m.keys()) n++;
  return n;
}

test('a limit=1 page of a full 262144-entry conntrack map reads O(limit) entries', (t) => {
  const dp = openTestDatapath(t);
  const held = fill(dp, N);
  t.true(held > N * 0.9, `the LRU map holds ${held} of ${N}`);
  const agent = { nodeName: 'node-a', datapath: dp, rules: new RuleIds() } as unknown as Agent;
  const get = (q: string) => routeStatus(agent, q);
  const reads = dp.conntrack.tcp.reads;

  reads.nextKey = reads.lookup = 0;
  const one = get('/v1/maps/netobs_ct_tcp?limit=1');
  t.is(one.code, 200);
  const p1 = one.body as MapEntriesPage;
  t.is(p1.entries.length, 1);
  t.truthy(p1.continue);
  t.like(p1.entries[0]?.fields, { protocol: 6 });
  t.deepEqual({ ...reads }, { nextKey: 1, lookup: 1 }, 'one key step and one value read, not the whole map');

  reads.nextKey = reads.lookup = 0;
  const p2 = get(`/v1/maps/netobs_ct_tcp?limit=3&continue=${p1.continue}`).body as MapEntriesPage;
  t.is(p2.entries.length, 3);
  t.false(p2.entries.some((e) => e.key === p1.entries[0]?.key));
  t.deepEqual({ ...reads }, { nextKey: 3, lookup: 4 }, 'the cursor is checked once, then 3 steps and 3 reads');

  // A cursor whose entry went away would make the kernel restart at the first key: refused.
  const last = get('/v1/maps/netobs_ct_tcp?limit=1').body as MapEntriesPage;
  t.true(dp.conntrack.tcp.delete(Uint8Array.from(Buffer.from(last.continue!, 'hex'))));
  const gone = get(`/v1/maps/netobs_ct_tcp?limit=1&continue=${last.continue}`);
  t.is(gone.code, 410);
  t.regex((gone.body as { error: string }).error, /^bpf map netobs_ct_tcp: the entry the continue token points at was deleted; start again without it$/);
  const bad = get('/v1/maps/netobs_ct_tcp?limit=1&continue=zz');
  t.is(bad.code, 400);
  t.regex((bad.body as { error: string }).error, /continue token "zz" is not a key of this map \(44 bytes as hex\)/);
});

test('offset steps over keys without reading their values', (t) => {
  const dp = openTestDatapath(t, { maxEntries: { netobs_ct_tcp: 4096 } });
  const m = dp.conntrack.tcp;
  const key = new Uint8Array(m.info.keySize);
  for (let i = 0; i < 100; i++) {
    key[0] = i;
    m.update(key, new Uint8Array(m.info.valueSize));
  }
  const agent = { nodeName: 'node-a', datapath: dp, rules: new RuleIds() } as unknown as Agent;
  m.reads.nextKey = m.reads.lookup = 0;
  const p = routeStatus(agent, '/v1/maps/netobs_ct_tcp?offset=95&limit=10').body as MapEntriesPage;
  t.is(p.entries.length, 5);
  t.is(p.continue, undefined, 'the end of the map');
  t.is(p.offset, 95);
  t.deepEqual({ ...m.reads }, { nextKey: 101, lookup: 5 });
});

test('following the continue tokens visits every entry once', (t) => {
  const dp = openTestDatapath(t, { maxEntries: { netobs_ct_tcp: 8192 } });
  const held = fill(dp, 3000);
  t.is(held, 3000);
  const agent = { nodeName: 'node-a', datapath: dp, rules: new RuleIds() } as unknown as Agent;
  const get = (q: string) => routeStatus(agent, q);
  // Whole walk in pages of 700: every key once.
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    const p = get(`/v1/maps/netobs_ct_tcp?limit=700${token ? `&continue=${token}` : ''}`).body as MapEntriesPage;
    for (const e of p.entries) seen.add(e.key);
    token = p.continue;
    pages++;
  } while (token);
  t.is(seen.size, held);
  t.is(pages, Math.ceil(held / 700) + (held % 700 === 0 ? 1 : 0));

});
