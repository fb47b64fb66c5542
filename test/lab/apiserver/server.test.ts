// The API server alone (no nodes): real kubectl and @kubernetes/client-node against it.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from './support.ts';

let lab: TestApiServer | undefined;
let dir = '';
let kubeconfig = '';

test.before(async () => {
  lab = await startTestApiServer('apiserver');
  ({ dir, kubeconfig } = lab);
});

test.after.always(async () => {
  await lab?.close();
});

const kubectl = (...args: string[]) => lab!.kubectl.out(...args);

test.serial('kubectl get prints the columns of the real server', async (t) => {
  const out = await kubectl('get', 'namespaces');
  t.regex(out.split('\n')[0]!, /^NAME\s+STATUS\s+AGE$/);
  t.regex(out, /^kube-system\s+Active\s+\d+s$/m);
  const svc = await kubectl('get', 'svc', 'kubernetes', '-o', 'wide');
  t.regex(svc, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\s+<none>$/m);
});

test.serial('kubectl apply creates, then patches, and errors are Status objects', async (t) => {
  const file = path.join(dir, 'cm.yaml');
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "1"}\n');
  t.regex(await kubectl('apply', '-f', file), /configmap\/cfg created/);
  await writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {b: "2"}\n');
  t.regex(await kubectl('apply', '-f', file), /configmap\/cfg configured/);
  t.is(await kubectl('get', 'cm', 'cfg', '-o', 'jsonpath={.data}'), '{"b":"2"}');
  const err = await kubectl('create', '-f', file).catch((e: { stderr: string }) => e.stderr);
  t.regex(err, /configmaps "cfg" already exists/);
  const nf = await kubectl('get', 'pod', 'nope').catch((e: { stderr: string }) => e.stderr);
  t.regex(nf, /pods "nope" not found/);
});

test.serial('client-node: generateName, conflicts, selectors and a watch', async (t) => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-', labels: { k: 'v' } }, data: { x: '1' } } });
  t.regex(created.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
  const stale = { ...created, metadata: { ...created.metadata, resourceVersion: '1' } };
  const conflict = await core.replaceNamespacedConfigMap({ name: created.metadata!.name!, namespace: 'default', body: stale }).catch((e: { code: number }) => e);
  t.is((conflict as { code: number }).code, 409);
  const listed = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'k=v' });
  t.deepEqual(listed.items.map((i) => i.metadata?.name), [created.metadata!.name]);

  const seen: string[] = [];
  const w = new k8s.Watch(kc);
  const done = new Promise<void>((resolve) => {
    void w.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: listed.metadata?.resourceVersion, labelSelector: 'k=v' }, (type, obj: k8s.V1ConfigMap) => {
      seen.push(`${type} ${obj.metadata?.name}`);
      if (type === 'DELETED') resolve();
    }, () => {});
  });
  await core.patchNamespacedConfigMap({ name: created.metadata!.name!, namespace: 'default', body: { data: { x: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ name: created.metadata!.name!, namespace: 'default' });
  await done;
  t.deepEqual(seen, [`MODIFIED ${created.metadata!.name}`, `DELETED ${created.metadata!.name}`]);
});

test.serial('a CRD serves its custom resources at once, with schema validation', async (t) => {
  const crd = path.join(dir, 'crd.yaml');
  await writeFile(crd, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {plural: widgets, singular: widget, kind: Widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns: [{name: Size, type: integer, jsonPath: .spec.size}]
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, required: [size], properties: {size: {type: integer}}}
`);
  await kubectl('apply', '-f', crd);
  t.regex(await kubectl('wait', '--for', 'condition=established', 'crd/widgets.example.com'), /condition met/);
  const cr = path.join(dir, 'cr.yaml');
  await writeFile(cr, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n');
  t.regex(await kubectl('apply', '-f', cr), /widget.example.com\/w1 created/);
  t.regex(await kubectl('get', 'widgets'), /^w1\s+3\s+\d+s$/m);
  await writeFile(cr, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: "big"}\n');
  const bad = await kubectl('apply', '-f', cr).catch((e: { stderr: string }) => e.stderr);
  t.regex(bad, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
});

test.serial('kubectl create (protobuf bodies) for namespaces, config maps, secrets, and auth can-i', async (t) => {
  t.regex(await kubectl('create', 'namespace', 'pb'), /namespace\/pb created/);
  t.regex(await kubectl('create', 'configmap', 'c', '-n', 'pb', '--from-literal=k=v'), /configmap\/c created/);
  t.is(await kubectl('get', 'cm', 'c', '-n', 'pb', '-o', 'jsonpath={.data.k}'), 'v');
  await kubectl('create', 'secret', 'generic', 's', '-n', 'pb', '--from-literal=p=q');
  t.is(await kubectl('get', 'secret', 's', '-n', 'pb', '-o', 'jsonpath={.data.p}'), Buffer.from('q').toString('base64'));
  t.is((await kubectl('auth', 'can-i', 'create', 'pods')).trim(), 'yes');
  const unsupported = await kubectl('create', 'deployment', 'x', '--image=nginx').catch((e: { stderr: string }) => e.stderr);
  t.regex(unsupported, /decodes protobuf bodies only for/);
});
