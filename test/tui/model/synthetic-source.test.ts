import test from 'ava';
import type { Flow } from '../../../api/types.ts';
import { FlowStore } from '../../../tui/model/flow-store.ts';
import { prng, syntheticCluster, syntheticFlow } from '../../../tui/model/synthetic-cluster.ts';
import { syntheticSource } from '../../../tui/model/synthetic-source.ts';
import { compileFilter } from '../../../tui/model/flow-filter.ts';

test('synthetic flows are deterministic and look like the agent’s', (t) => {
  const c = syntheticCluster(2);
  const a = Array.from({ length: 2000 }, ((r) => () => syntheticFlow(r, c, 1_700_000_000_123))(prng(7)));
  const b = Array.from({ length: 2000 }, ((r) => () => syntheticFlow(r, c, 1_700_000_000_123))(prng(7)));
  t.deepEqual(a, b);
  t.true(a.every((f) => f.time?.seconds === 1_700_000_000 && f.time.nanos === 123e6 && !!f.node_name && c.nodes.includes(f.node_name)));
  t.true(a.every((f) => !!f.source?.pod_name));
  const count = (q: string) => a.filter(compileFilter(q).match).length;
  t.true(count('--verdict DROPPED --from-pod default/xwing --to-pod default/deathstar --port 80') > 0);
  t.true(count('--verdict DROPPED --drop-reason-desc POLICY_DENY --to-fqdn github.com') > 0);
  t.true(count('-t policy-verdict') > 0);
  t.true(count('--protocol dns') > 0);
  t.true(count('--protocol http --http-status 5+') > 0);
  t.true(count('--protocol icmp --to-identity world') > 0);
  t.is(count('--verdict DROPPED --from-pod default/tiefighter'), 0, 'the empire may land');
});

test('the source delivers exactly the configured rate and stops when closed', async (t) => {
  let now = 0;
  const src = syntheticSource({ flowsPerSecond: 10_000, nodes: 2, tickMs: 2, now: () => now });
  const got: Flow[] = [];
  const sub = src.subscribeFlows({ flows: (b) => got.push(...b), lost: () => {}, error: () => {} });
  now = 1000;
  while (got.length < 10_000) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  t.is(got.length, 10_000);
  now = 1500;
  while (got.length < 15_000) await new Promise((r) => setTimeout(r, 5));
  sub.close();
  now = 5000;
  await new Promise((r) => setTimeout(r, 20));
  t.is(got.length, 15_000);
  t.is(src.emitted, 15_000);
  const store = new FlowStore();
  store.push(got);
  t.true(store.verdicts.rows('policy').some((r) => r.key === 'shop/checkout-deny-world' && r.denied > 0));
});

test('endpoints, maps and map entries of every node', async (t) => {
  const src = syntheticSource({ flowsPerSecond: 1, nodes: ['kind-control-plane', 'kind-worker'] });
  const eps = await src.listEndpoints();
  t.deepEqual([...new Set(eps.map((e) => e.node))].sort(), ['kind-control-plane', 'kind-worker']);
  t.true(eps.some((e) => e.labels.includes('reserved:host')));
  t.true(eps.some((e) => e.policyEntries?.some((p) => p.verdict === 'deny')));
  t.is((await src.listEndpoints('kind-worker')).filter((e) => e.node !== 'kind-worker').length, 0);
  const maps = await src.listMaps('kind-worker');
  t.true(maps.some((m) => m.name === 'netobs_ct4' && m.pressure > 0.9));
  const ct = maps.find((m) => m.name === 'netobs_ct4')!;
  const page = await src.mapEntries('kind-worker', 'netobs_ct4', { offset: 100, limit: 10 });
  t.is(page.entries.length, 10);
  t.is(page.total, ct.entries);
  t.regex(page.entries[0]!.key, /^TCP 10\.0\.\d+\.\d+:\d+ -> 10\.0\.\d+\.\d+:\d+$/);
  const policyMap = maps.find((m) => m.name.startsWith('netobs_policy_') && m.entries > 0)!;
  const entries = await src.mapEntries('kind-worker', policyMap.name, { offset: 0, limit: 50 });
  t.is(entries.entries.length, policyMap.entries);
  await t.throwsAsync(src.mapEntries('kind-worker', 'nope', { offset: 0, limit: 1 }), { message: 'map nope not found on kind-worker' });
  t.deepEqual(await src.serverStatus(), { numConnectedNodes: 2, unavailableNodes: [], flowsRate: 1, lost: 0 });
});
