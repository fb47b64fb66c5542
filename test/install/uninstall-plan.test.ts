import test from 'ava';
import { namespaceIsDisposable, planUninstall } from '../../install/uninstall-plan.ts';
import { render } from './render/fixtures.ts';

const objects = render();
const key = (s: { ref: { kind: string; name: string } }) => `${s.ref.kind}/${s.ref.name}`;

test('the agent DaemonSet goes first, in the foreground, marked as uninstalling', (t) => {
  const plan = planUninstall(objects);
  t.like(plan.steps[0], { ref: { kind: 'DaemonSet', name: 'netobs-agent', namespace: 'netobs-system' }, propagationPolicy: 'Foreground', annotateFirst: { 'netobs.io/uninstalling': 'true' }, waitForDeletion: true });
});

test('every rendered object but the namespace is deleted, RBAC after workloads, CRDs last', (t) => {
  const plan = planUninstall(objects);
  const keys = plan.steps.map(key);
  t.is(keys.length, objects.length - 1);
  t.false(keys.includes('Namespace/netobs-system'));
  t.is(plan.namespace, 'netobs-system');
  t.true(keys.indexOf('Deployment/netobs-relay') < keys.indexOf('ClusterRole/netobs-agent'));
  t.true(keys.indexOf('Role/netobs-agent') > 0);
  t.deepEqual(keys.slice(-4).map((k) => k.split('/')[0]), ['CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition']);
});

test('--keep-crds keeps the CRDs', (t) => {
  t.false(planUninstall(objects, { keepCrds: true }).steps.some((s) => s.ref.kind === 'CustomResourceDefinition'));
});

test('the namespace is deleted only when nothing of the user is left in it', (t) => {
  t.true(namespaceIsDisposable([{ kind: 'ServiceAccount', metadata: { name: 'default' } }, { kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt' } }]));
  t.false(namespaceIsDisposable([{ kind: 'ConfigMap', metadata: { name: 'my-settings' } }]));
});
