import test from 'ava';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { Namespace, Service } from 'kubernetes-models/v1';
import type { KubeObject } from '../../connectivity/framework/cluster.ts';
import { expectedPods, testDeployment, type DeploymentOptions } from '../../connectivity/deployment.ts';

const OPTS: DeploymentOptions = { namespace: 'netobs-test', image: 'registry.local/netobs:1.2.3', binary: 'kubectl-netobs', multiNode: true };
const byName = (objs: KubeObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any> | undefined;

test('objects, in apply order, validate against the Kubernetes OpenAPI models', (t) => {
  const objs = testDeployment(OPTS);
  t.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), [
    'Namespace/netobs-test', 'Deployment/client', 'Deployment/client2', 'Deployment/echo-same-node', 'Service/echo-same-node',
    'Deployment/client3', 'Deployment/echo-other-node', 'Service/echo-other-node', 'DaemonSet/host-netns',
  ]);
  const models: Record<string, new (d: never) => { validate(): void }> = { Namespace, Deployment, Service, DaemonSet };
  for (const o of objs) t.notThrows(() => new models[o.kind]!(structuredClone(o) as never).validate(), `${o.kind}/${o.metadata.name}`);
  for (const o of objs.slice(1)) t.is(o.metadata.namespace, 'netobs-test');
  for (const o of objs) t.is(o.metadata.labels?.['app.kubernetes.io/part-of'], 'netobs-connectivity-test');
});

test('placement: client2 and echo-same-node with client, client3 and echo-other-node away from it', (t) => {
  const objs = testDeployment(OPTS);
  const aff = (name: string) => byName(objs, 'Deployment', name)!.spec.template.spec.affinity;
  const term = [{ labelSelector: { matchLabels: { name: 'client' } }, topologyKey: 'kubernetes.io/hostname' }];
  t.is(aff('client'), undefined);
  t.deepEqual(aff('client2'), { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } });
  t.deepEqual(aff('echo-same-node'), { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } });
  t.deepEqual(aff('client3'), { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } });
  t.deepEqual(aff('echo-other-node'), { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } });
});

test('one image runs every role; --image and the binary path are honoured', (t) => {
  const objs = testDeployment({ ...OPTS, image: 'mirror.internal/netobs@sha256:abc', binary: '/usr/local/bin/kubectl-netobs', imagePullPolicy: 'Never' });
  const containers = objs.flatMap((o) => (o as Record<string, any>).spec?.template?.spec?.containers ?? []) as { name: string; image: string; command: string[]; imagePullPolicy: string }[];
  t.true(containers.length >= 8);
  for (const c of containers) {
    t.is(c.image, 'mirror.internal/netobs@sha256:abc');
    t.is(c.imagePullPolicy, 'Never');
    t.is(c.command[0], '/usr/local/bin/kubectl-netobs');
  }
  const echo = byName(objs, 'Deployment', 'echo-other-node')!.spec.template.spec.containers;
  t.deepEqual(echo.map((c: { command: string[] }) => c.command.slice(1)), [['echo', '--port', '8080'], ['probe', 'dns-server', '--port', '53']]);
  t.deepEqual(byName(objs, 'Deployment', 'client')!.spec.template.spec.containers[0].command.slice(1), ['sleep']);
});

test('echo services are NodePort with HTTP, UDP echo and DNS; the host DaemonSet uses the host network everywhere', (t) => {
  const objs = testDeployment(OPTS);
  const svc = byName(objs, 'Service', 'echo-same-node')!;
  t.is(svc.spec.type, 'NodePort');
  t.deepEqual(svc.spec.selector, { name: 'echo-same-node' });
  t.deepEqual(svc.spec.ports.map((p: { name: string; port: number; protocol: string }) => `${p.name}:${p.port}/${p.protocol}`), ['http:8080/TCP', 'udp:8080/UDP', 'dns:53/UDP']);
  const ds = byName(objs, 'DaemonSet', 'host-netns')!.spec.template.spec;
  t.true(ds.hostNetwork);
  t.deepEqual(ds.tolerations, [{ operator: 'Exists' }]);
  t.is(ds.dnsPolicy, 'ClusterFirstWithHostNet');
});

test('single node: no client3 nor echo-other-node, and fewer pods to wait for', (t) => {
  const objs = testDeployment({ ...OPTS, multiNode: false });
  t.false(objs.some((o) => o.metadata.name === 'client3' || o.metadata.name === 'echo-other-node'));
  t.deepEqual(expectedPods({ multiNode: false }, 1), [
    { selector: { name: 'client' }, count: 1 }, { selector: { name: 'client2' }, count: 1 },
    { selector: { name: 'echo-same-node' }, count: 1 }, { selector: { name: 'host-netns' }, count: 1 },
  ]);
  t.is(expectedPods({ multiNode: true }, 3).length, 6);
  t.deepEqual(expectedPods({ multiNode: true }, 3).at(-1), { selector: { name: 'host-netns' }, count: 3 });
});
