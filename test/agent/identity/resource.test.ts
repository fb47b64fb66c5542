import test from 'ava';
import { label, labelSet } from '../../../agent/identity/labels.ts';
import { identityFromResource, identityToResource } from '../../../agent/identity/resource.ts';

test('an identity round-trips through its custom resource', (t) => {
  const labels = labelSet([label('k8s', 'app', 'web'), label('k8s', 'io.kubernetes.pod.namespace', 'shop')]);
  const obj = identityToResource(4242, labels);
  t.is(obj.metadata.name, '4242');
  t.is(obj.kind, 'NetobsIdentity');
  t.deepEqual(obj.securityLabels, { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' });
  t.deepEqual(identityFromResource(JSON.parse(JSON.stringify(obj))), { id: 4242, labels });
});

const rejects = test.macro({
  exec(t, obj: unknown) {
    t.is(identityFromResource(obj), undefined);
  },
  title: (given) => `ignores ${given ?? ''}`,
});

test('a name that is not a number', rejects, { metadata: { name: 'web' }, securityLabels: {} });
test('a reserved number', rejects, { metadata: { name: '2' }, securityLabels: {} });
test('a CIDR-range number', rejects, { metadata: { name: '16777216' }, securityLabels: {} });
test('missing labels', rejects, { metadata: { name: '300' } });
test('not an object', rejects, 'x');
