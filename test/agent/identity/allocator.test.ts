import test from 'ava';
import { IdentityAllocator, IdentityExhaustedError, labelHash } from '../../../agent/identity/allocator.ts';
import { label, labelSet, labelSetKey, type LabelSet } from '../../../agent/identity/labels.ts';
import { MemoryIdentityStore } from '../../../agent/identity/store.ts';

const app = (name: string, ns = 'default'): LabelSet =>
  labelSet([label('k8s', 'app', name), label('k8s', 'io.kubernetes.pod.namespace', ns)]);

test('allocates identities of at least 256 and stores them', async (t) => {
  const store = new MemoryIdentityStore();
  const a = new IdentityAllocator(store);
  const id = await a.allocate(app('web'));
  t.true(id >= 256 && id < 65536);
  t.true(store.holds(id, app('web')));
  t.is(await a.allocate(app('web')), id);
  t.is(a.lookup(app('web')), id);
  t.deepEqual(a.labelsOf(id), app('web'));
});

test('different label sets get different identities', async (t) => {
  const a = new IdentityAllocator(new MemoryIdentityStore());
  const ids = await Promise.all(['a', 'b', 'c', 'd'].map((n) => a.allocate(app(n))));
  t.is(new Set(ids).size, 4);
});

test('two nodes allocating the same labels at once agree on one identity', async (t) => {
  const store = new MemoryIdentityStore();
  const node1 = new IdentityAllocator(store);
  const node2 = new IdentityAllocator(store);
  const [x, y] = await Promise.all([node1.allocate(app('web')), node2.allocate(app('web'))]);
  t.is(x, y);
  t.is((await store.list()).length, 1);
});

test('identities survive a restart: a new allocator reads the store', async (t) => {
  const store = new MemoryIdentityStore();
  const before = await new IdentityAllocator(store).allocate(app('web'));
  const after = new IdentityAllocator(store);
  await after.sync();
  t.is(after.lookup(app('web')), before);
  t.is(await after.allocate(app('web')), before);
});

test('a hash collision moves on to the next free id on every node alike', async (t) => {
  // A range of 3 ids makes collisions certain.
  const store = new MemoryIdentityStore();
  const node1 = new IdentityAllocator(store, { min: 256, max: 259 });
  const node2 = new IdentityAllocator(store, { min: 256, max: 259 });
  const sets = [app('a'), app('b'), app('c')];
  const ids1 = await Promise.all(sets.map((s) => node1.allocate(s)));
  t.is(new Set(ids1).size, 3);
  // node2 has not synced: it learns the holders through conflicts and still agrees.
  const ids2 = await Promise.all(sets.map((s) => node2.allocate(s)));
  t.deepEqual(ids2, ids1);
  for (const [i, s] of sets.entries()) t.true(store.holds(ids1[i] as number, s));
});

test('an exhausted range is a clear error', async (t) => {
  const a = new IdentityAllocator(new MemoryIdentityStore(), { min: 256, max: 257 });
  await a.allocate(app('a'));
  const err = await t.throwsAsync(a.allocate(app('b')), { instanceOf: IdentityExhaustedError });
  t.regex(err?.message ?? '', /every id in \[256, 257\) is taken/);
});

test('the first candidate is the label hash, the same on every node', async (t) => {
  const a = new IdentityAllocator(new MemoryIdentityStore());
  const id = await a.allocate(app('web'));
  t.is(id, 256 + (labelHash(labelSetKey(app('web'))) % (65536 - 256)));
});

test('watch events keep the cache in step with other nodes', async (t) => {
  const store = new MemoryIdentityStore();
  const a = new IdentityAllocator(store);
  a.observe({ type: 'added', identity: { id: 300, labels: app('x') } });
  t.is(a.lookup(app('x')), 300);
  a.observe({ type: 'deleted', identity: { id: 300, labels: app('x') } });
  t.is(a.lookup(app('x')), undefined);
});

test('among duplicates of one label set every node picks the lowest id', (t) => {
  const a = new IdentityAllocator(new MemoryIdentityStore());
  a.observe({ type: 'added', identity: { id: 900, labels: app('x') } });
  a.observe({ type: 'added', identity: { id: 400, labels: app('x') } });
  t.is(a.lookup(app('x')), 400);
  a.observe({ type: 'deleted', identity: { id: 400, labels: app('x') } });
  t.is(a.lookup(app('x')), 900);
});

test('an id re-used for other labels drops the old mapping', (t) => {
  const a = new IdentityAllocator(new MemoryIdentityStore());
  a.observe({ type: 'added', identity: { id: 500, labels: app('old') } });
  a.observe({ type: 'added', identity: { id: 500, labels: app('new') } });
  t.is(a.lookup(app('old')), undefined);
  t.is(a.lookup(app('new')), 500);
});

test('after its identity is garbage-collected a label set gets the same id again', async (t) => {
  const store = new MemoryIdentityStore();
  const a = new IdentityAllocator(store);
  const id = await a.allocate(app('web'));
  await store.delete(id);
  a.observe({ type: 'deleted', identity: { id, labels: app('web') } });
  t.is(await a.allocate(app('web')), id);
});
