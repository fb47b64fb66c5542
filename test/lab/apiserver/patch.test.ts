import test from 'ava';
import { jsonPatch, mergePatch, strategicMergePatch } from '../../../lab/apiserver/patch.ts';

test('merge patch replaces lists and deletes with null', (t) => {
  t.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
});

test('json patch applies add, replace, remove, test and rejects a failed test', (t) => {
  const doc = { spec: { replicas: 1, list: ['a'] } };
  t.deepEqual(
    jsonPatch(doc, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/list/-', value: 'b' },
      { op: 'add', path: '/metadata', value: { name: 'x' } },
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'remove', path: '/spec/list/0' },
    ]),
    { spec: { replicas: 3, list: ['b'] }, metadata: { name: 'x' } },
  );
  t.deepEqual(doc, { spec: { replicas: 1, list: ['a'] } }, 'input untouched');
  t.throws(() => jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]));
});

test('strategic merge patch merges containers by name and ports by containerPort', (t) => {
  const live = {
    spec: {
      containers: [
        { name: 'a', image: 'x:1', ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'K', value: '1' }] },
        { name: 'b', image: 'y:1' },
      ],
    },
  };
  const out = strategicMergePatch(live, {
    spec: {
      $setElementOrder: undefined,
      '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
      containers: [{ name: 'a', image: 'x:2', env: [{ name: 'L', value: '2' }] }, { name: 'c', image: 'z:1' }],
    },
  }) as { spec: { containers: { name: string; image: string; env?: unknown[] }[] } };
  t.deepEqual(out.spec.containers.map((c) => `${c.name}=${c.image}`), ['b=y:1', 'a=x:2', 'c=z:1']);
  t.deepEqual(out.spec.containers[1]!.env, [{ name: 'K', value: '1' }, { name: 'L', value: '2' }]);
});

test('strategic merge patch honours $patch delete and replace, and merges finalizers', (t) => {
  const live = { metadata: { finalizers: ['a'] }, spec: { containers: [{ name: 'a' }, { name: 'b' }], selector: { x: '1', y: '2' } } };
  const out = strategicMergePatch(live, {
    metadata: { finalizers: ['b'] },
    spec: { containers: [{ name: 'a', $patch: 'delete' }], selector: { $patch: 'replace', z: '3' } },
  });
  t.deepEqual(out, { metadata: { finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'b' }], selector: { z: '3' } } });
});
