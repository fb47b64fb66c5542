// The stored values: what the user set is recovered from the effective values, reused under -f and
// --set, dropped by upgrade's version pins, and diffs name the changed values and object fields.
import test from 'ava';
import { resolveValues } from '../../install/values-load.ts';
import { renderManifests } from '../../install/render/index.ts';
import { defaultValues, type Values } from '../../install/values.ts';
import { diffObjects, diffValues, formatDiff, readStoredValues, storedValuesSecret, userOverrides, withoutVersionPins } from '../../install/values-stored.ts';

const tree = (v: Values) => v as unknown as Record<string, unknown>;
const defaults = defaultValues('1.0.0');

test('the user part of the values is what differs from the defaults, lists whole', (t) => {
  const v = resolveValues({ buildVersion: '1.0.0', sets: ['agent.logLevel=debug', 'agent.httpPorts={80,8443}', 'relay.enabled=false'] });
  t.deepEqual(userOverrides(tree(v), tree(defaults)), { agent: { logLevel: 'debug', httpPorts: [80, 8443] }, relay: { enabled: false } });
  t.deepEqual(userOverrides(tree(defaults), tree(defaults)), {});
  t.deepEqual(userOverrides({ a: 1 }, { a: 1, b: 2 }), { b: null }, 'a key gone is recorded as a deletion');
});

test('reused values sit under files and --set, and give the effective values back', (t) => {
  const first = resolveValues({ buildVersion: '1.0.0', sets: ['agent.logLevel=debug', 'relay.replicas=2'] });
  const reused = userOverrides(tree(first), tree(defaults));
  t.deepEqual(resolveValues({ buildVersion: '1.0.0', reused }), first);
  const again = resolveValues({ buildVersion: '1.0.0', reused, sets: ['relay.replicas=3'], files: [{ name: 'f.yaml', content: { agent: { flowRingSize: 8191 } } }] });
  t.is(again.agent.logLevel, 'debug');
  t.is(again.relay.replicas, 3);
  t.is(again.agent.flowRingSize, 8191);
});

test('upgrade does not reuse a version or an image tag or digest, but keeps the repository', (t) => {
  const user = { version: '0.9.0', image: { repository: 'r/netobs', tag: '0.9.0', digest: 'sha256:x' }, agent: { logLevel: 'debug' } };
  t.deepEqual(withoutVersionPins(user), { image: { repository: 'r/netobs' }, agent: { logLevel: 'debug' } });
  t.deepEqual(withoutVersionPins({ version: '0.9.0', image: { tag: '0.9.0' } }), {});
  t.is(resolveValues({ buildVersion: '1.0.0', reused: withoutVersionPins(user) }).version, '1.0.0');
});

test('the Secret round-trips the values and the user part; a broken one names the fix', (t) => {
  const v = resolveValues({ buildVersion: '1.0.0', sets: ['agent.logLevel=warn'] });
  const s = storedValuesSecret(v, defaults) as unknown as { metadata: { name: string; namespace: string }; data: Record<string, string> };
  t.is(s.metadata.name, 'netobs-install-values');
  t.is(s.metadata.namespace, 'netobs-system');
  const back = readStoredValues(s);
  t.deepEqual(back.values, tree(v));
  t.deepEqual(back.userValues, { agent: { logLevel: 'warn' } });
  t.throws(() => readStoredValues({ data: {} }), { message: /has no values\.yaml .*--reset-values/ });
  t.throws(() => readStoredValues({ data: { 'values.yaml': Buffer.from('[1]').toString('base64'), 'user-values.yaml': '' } }), { message: /values\.yaml is not a map/ });
});

test('the value diff lists changed, added and removed leaves by path', (t) => {
  t.deepEqual(diffValues({ a: { b: 1, c: [1] }, d: 'x' }, { a: { b: 2, c: [1] }, e: true }), [
    { path: 'a.b', from: 1, to: 2 },
    { path: 'd', from: 'x', to: undefined },
    { path: 'e', from: undefined, to: true },
  ]);
  t.deepEqual(diffValues(tree(defaults), tree(defaults)), []);
});

test('the object diff names added, removed and changed objects with field paths, not values', (t) => {
  const before = renderManifests({ values: resolveValues({ buildVersion: '1.0.0', sets: ['tls.enabled=false'] }) });
  const after = renderManifests({ values: resolveValues({ buildVersion: '1.0.0', sets: ['tls.enabled=false', 'agent.logLevel=debug', 'relay.enabled=false'] }) });
  const d = diffObjects(before, after);
  t.true(d.some((c) => c.change === 'removed' && c.ref === 'Deployment netobs-system/netobs-relay'), JSON.stringify(d));
  const cm = d.find((c) => c.ref === 'ConfigMap netobs-system/netobs-config');
  t.is(cm?.change, 'changed');
  t.false(d.some((c) => c.paths.some((p) => p.includes('values-hash'))), 'the values hash is not a change of its own');
  t.deepEqual(diffObjects(before, before), []);
  const lines = formatDiff(diffValues(tree(resolveValues({ buildVersion: '1.0.0' })), tree(resolveValues({ buildVersion: '1.0.0', sets: ['agent.logLevel=debug'] }))), d);
  t.true(lines.includes('  agent.logLevel: "info" → "debug"'), lines.join('\n'));
  t.true(lines.includes('  - Deployment netobs-system/netobs-relay'), lines.join('\n'));
  t.deepEqual(formatDiff([], []), ['no change from the values stored by the last install']);
});
