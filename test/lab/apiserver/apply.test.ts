import test from 'ava';
import { applyConfig, recordUpdate } from '../../../lab/apiserver/apply.ts';
import { fromFieldsV1, leafPaths, toFieldsV1 } from '../../../lab/apiserver/managed-fields.ts';
import type { KObject } from '../../../lab/apiserver/types.ts';

const cfg = (replicas: number, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'x:1' }] } }, ...extra },
});

test('field paths round-trip through FieldsV1 with keyed list items', (t) => {
  const paths = [...leafPaths(cfg(2)).keys()];
  t.true(paths.includes('.spec.template.spec.containers[name=web].image'));
  t.deepEqual(fromFieldsV1(toFieldsV1(paths)).sort(), paths.sort());
});

test('apply conflicts with another manager unless forced, and forcing moves ownership', (t) => {
  const first = applyConfig(undefined, cfg(2), { manager: 'alice', force: false, apiVersion: 'apps/v1' });
  const second = applyConfig(first, cfg(2), { manager: 'bob', force: false, apiVersion: 'apps/v1' });
  t.is(second.metadata.managedFields?.length, 2, 'same values: shared ownership, no conflict');
  const err = t.throws(() => applyConfig(first, cfg(5), { manager: 'bob', force: false, apiVersion: 'apps/v1' }));
  t.regex(err!.message, /conflict with "alice".*\.spec\.replicas/s);
  const forced = applyConfig(first, cfg(5), { manager: 'bob', force: true, apiVersion: 'apps/v1' });
  t.is((forced['spec'] as { replicas: number }).replicas, 5);
  const alice = forced.metadata.managedFields?.find((m) => m.manager === 'alice');
  t.false(fromFieldsV1(alice?.fieldsV1).includes('.spec.replicas'));
});

test('apply removes fields the manager stopped applying', (t) => {
  const first = applyConfig(undefined, cfg(2, { paused: true }), { manager: 'alice', force: false, apiVersion: 'apps/v1' });
  const second = applyConfig(first, cfg(2), { manager: 'alice', force: false, apiVersion: 'apps/v1' });
  t.is((second['spec'] as Record<string, unknown>)['paused'], undefined);
  t.is((second['spec'] as Record<string, unknown>)['replicas'], 2);
});

test('updates take ownership of what they change', (t) => {
  const before = applyConfig(undefined, cfg(2), { manager: 'alice', force: false, apiVersion: 'apps/v1' });
  const after = structuredClone(before);
  (after['spec'] as { replicas: number }).replicas = 4;
  recordUpdate(before, after, 'kubectl-scale', 'apps/v1');
  const scale = after.metadata.managedFields?.find((m) => m.manager === 'kubectl-scale');
  t.deepEqual(fromFieldsV1(scale?.fieldsV1), ['.spec.replicas']);
  t.throws(() => applyConfig(after, cfg(2), { manager: 'alice', force: false, apiVersion: 'apps/v1' }), { message: /kubectl-scale/ });
});
