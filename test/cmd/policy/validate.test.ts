import test from 'ava';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPolicy, validateFiles } from '../../../cmd/policy/validate.ts';

const allowFrontend = {
  apiVersion: 'netobs.io/v1alpha1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-frontend', namespace: 'default' },
  spec: {
    endpointSelector: { matchLabels: { role: 'backend' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
  },
};

const check = test.macro((t, obj: unknown, expected: RegExp | true) => {
  const r = checkPolicy(obj);
  if (expected === true) t.true(r.valid, r.message);
  else {
    t.false(r.valid);
    t.regex(r.message ?? '', expected);
  }
});

test('the seed allow-frontend policy', check, allowFrontend, true);
test('an unknown field is refused by the CRD schema', check, { ...allowFrontend, spec: { ...allowFrontend.spec, ingres: [] } }, /unknown field "spec.ingres"/);
test('a type error names the field', check, { ...allowFrontend, spec: { ...allowFrontend.spec, ingress: 'all' } }, /spec\.ingress/);
test('a Cilium policy gets the apiVersion to use', check, { ...allowFrontend, apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }, /use apiVersion netobs\.io\/v1alpha1/);
test('a k8s NetworkPolicy with a bad port', check, {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'np' },
  spec: { podSelector: {}, ingress: [{ ports: [{ port: 70000 }] }] },
}, /port/);

test('files with several documents report each', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-pv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, `${JSON.stringify(allowFrontend)}\n---\n${JSON.stringify({ ...allowFrontend, metadata: { name: 'Bad_Name' } })}\n`);
  const checks = await validateFiles([file]);
  t.deepEqual(checks.map((c) => [c.name, c.valid]), [['default/allow-frontend', true], ['Bad_Name', false]]);
});

test('a missing file is one clear error', async (t) => {
  await t.throwsAsync(validateFiles(['/nonexistent/p.yaml']), { message: /read \/nonexistent\/p\.yaml: ENOENT/ });
});
