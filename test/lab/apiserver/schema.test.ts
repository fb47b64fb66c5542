// Custom resources through netobs's own CRDs, as a real API server treats them: real kubectl's
// default strict validation refuses a misspelled field, --validate=false stores the object with the
// field pruned, --validate=warn prints kubectl's warning, and format, maxProperties and oneOf hold.
import test from 'ava';
import { validatePolicy } from '../../../agent/policy/validate.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { netobsCrds } from '../../../install/crds/definitions.ts';
import { startTestApiServer, type TestApiServer } from './support.ts';

let lab: TestApiServer | undefined;
let dir = '';
let kubeconfig = '';

test.before(async () => {
  lab = await startTestApiServer('schema');
  ({ dir, kubeconfig } = lab);
  // One file per CRD: kubectl validates a v1 List client-side, from an OpenAPI v2 the lab does not serve.
  const crds = path.join(dir, 'crds');
  await mkdir(crds);
  for (const c of netobsCrds()) await writeFile(path.join(crds, `${c.metadata.name}.json`), JSON.stringify(c));
  await kubectl('apply', '-f', crds);
  await kubectl('wait', '--for', 'condition=established', 'crd/networkpolicies.netobs.io');
});

test.after.always(async () => {
  await lab?.close();
});

const kubectl = (...args: string[]) => lab!.kubectl.out(...args);
const fails = (...args: string[]) => kubectl(...args).then((out) => `unexpected success: ${out}`, (e: { stderr: string }) => e.stderr);
const both = async (...args: string[]) => {
  const r = await lab!.kubectl.exec(...args);
  return r.stdout + r.stderr;
};

const apiVersion = netobsCrds()[0]!.spec.group + '/' + netobsCrds()[0]!.spec.versions[0]!.name;

async function policyFile(name: string, rule: string): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, `apiVersion: ${apiVersion}
kind: NetworkPolicy
metadata: {name: ${name}, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - ${rule}
`);
  return file;
}

test.serial('kubectl apply of a policy with a misspelled field fails with the strict-validation error', async (t) => {
  const file = await policyFile('typo', 'fromEndpoint: [{matchLabels: {app: web}}]');
  const err = await fails('apply', '-f', file);
  t.regex(err, /Error from server \(BadRequest\).*NetworkPolicy in version "\w+" cannot be handled as a NetworkPolicy: strict decoding error: unknown field "spec\.ingress\[0\]\.fromEndpoint"/);
  t.regex(await fails('apply', '--server-side', '-f', file), /strict decoding error: unknown field "spec\.ingress\[0\]\.fromEndpoint"/);
  t.regex(await fails('get', 'networkpolicies.netobs.io', 'typo'), /NotFound/);
});

test.serial('with --validate=false the stored policy has the field pruned, and the agent refuses it naming the field', async (t) => {
  const file = await policyFile('pruned', 'fromEndpoint: [{matchLabels: {app: web}}]\n    fromEndpoints: [{matchLabels: {app: api}}]');
  t.regex(await kubectl('apply', '--validate=false', '-f', file), /networkpolicy.netobs.io\/pruned created/);
  const stored = JSON.parse(await kubectl('get', 'networkpolicies.netobs.io', 'pruned', '-o', 'json')) as { spec: { ingress: Record<string, unknown>[] } };
  t.deepEqual(stored.spec.ingress, [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }]);
  // The agent sees the pruning in kubectl's last-applied annotation: the policy is refused, naming the typo.
  const v = validatePolicy(stored);
  t.regex(v.valid ? '' : v.message, /^spec\.ingress\[0\]\.fromEndpoint: was applied but is not in the schema/);
  // An update (client-side apply's patch) prunes the same way.
  await policyFile('pruned', 'fromEndpoints: [{matchLabels: {app: api}}]\n    toPortz: [{ports: [{port: "80"}]}]');
  t.regex(await kubectl('apply', '--validate=false', '-f', file), /networkpolicy.netobs.io\/pruned configured/);
  const again = JSON.parse(await kubectl('get', 'networkpolicies.netobs.io', 'pruned', '-o', 'json')) as { spec: { ingress: Record<string, unknown>[] } };
  t.deepEqual(again.spec.ingress, [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }]);
  const v2 = validatePolicy(again);
  t.regex(v2.valid ? '' : v2.message, /^spec\.ingress\[0\]\.toPortz: /);
});

test.serial('--validate=warn stores the pruned policy and prints kubectl\'s warning', async (t) => {
  const file = await policyFile('warned', 'fromEndpoints: [{matchLabels: {app: web}}]\n    fromEntitie: [world]');
  const out = await both('apply', '--validate=warn', '-f', file);
  t.regex(out, /Warning: unknown field "spec\.ingress\[0\]\.fromEntitie"/);
  t.regex(out, /networkpolicy.netobs.io\/warned created/);
});

test.serial('the status subresource is pruned too', async (t) => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const co = kc.makeApiClient(k8s.CustomObjectsApi);
  const [group, version] = apiVersion.split('/') as [string, string];
  const out = (await co.patchNamespacedCustomObjectStatus(
    { group, version, namespace: 'default', plural: 'networkpolicies', name: 'pruned', body: { status: { observedGeneration: 1, bogus: 'x' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as { status: Record<string, unknown> };
  t.is(out.status['observedGeneration'], 1);
  t.false('bogus' in out.status);
});

test.serial('format, maxProperties and oneOf of the CRD schema are enforced', async (t) => {
  const cidr = await policyFile('badcidr', 'fromCIDR: [10.0.0.0/33]');
  t.regex(await fails('apply', '-f', cidr), /spec\.ingress\[0\]\.fromCIDR\[0\]: Invalid value: "10\.0\.0\.0\/33": spec\.ingress\[0\]\.fromCIDR\[0\] in body must be of type cidr/);
  const l7 = await policyFile('twol7', 'toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}], http: [{path: /}]}}]');
  t.regex(await fails('apply', '-f', l7), /spec\.ingress\[0\]\.toPorts\[0\]\.rules: Too many: 2: must have at most 1 items/);
  const file = path.join(dir, 'oneof.yaml');
  await writeFile(file, `apiVersion: ${apiVersion}
kind: NetworkPolicy
metadata: {name: oneof, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: db}}
  nodeSelector: {matchLabels: {a: b}}
`);
  t.regex(await fails('apply', '-f', file), /spec: Invalid value: "object": spec in body must validate one and only one schema \(oneOf\)/);
});
