// Controllers against an in-memory Api with two fake nodes (no kubelet: the test plays it).
import test from 'ava';
import { Api } from '../../../lab/apiserver/api.ts';
import { bootstrap } from '../../../lab/apiserver/bootstrap.ts';
import type { KObject } from '../../../lab/apiserver/types.ts';
import { startControllers } from '../../../lab/controllers/manager.ts';

function lab() {
  const api = new Api();
  bootstrap(api, { ip: '127.0.0.1', port: 6443 });
  for (const [i, name] of ['node1', 'node2'].entries()) {
    api.create(api.rt('', 'nodes'), undefined, {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(i === 1 ? { disk: 'ssd' } : {}) } },
      spec: { podCIDR: `10.244.${i + 1}.0/24` },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const cm = startControllers(api);
  cm.stop(); // tests drive passes with sync() so nothing runs behind their back
  return { api, sync: () => cm.sync() };
}

/** What a kubelet would report: Running, ready, with an IP. */
function runPods(api: Api): void {
  const rt = api.rt('', 'pods');
  let n = 10;
  for (const p of api.list(rt, undefined).items) {
    const spec = p['spec'] as { nodeName?: string };
    if (!spec.nodeName || p.metadata.deletionTimestamp) continue;
    const ip = `10.244.${spec.nodeName === 'node1' ? 1 : 2}.${n++}`;
    api.update(rt, p.metadata.namespace, p.metadata.name!, { ...p, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
  }
}

const deployment = (replicas: number): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } },
  },
});

test('a deployment makes a replica set and pods spread over both nodes; a service gets endpoints', (t) => {
  const { api, sync } = lab();
  api.create(api.rt('apps', 'deployments'), 'default', deployment(4));
  api.create(api.rt('', 'services'), 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
  sync();
  const pods = api.list(api.rt('', 'pods'), 'default').items;
  t.is(pods.length, 4);
  const nodes = pods.map((p) => (p['spec'] as { nodeName: string }).nodeName).sort();
  t.deepEqual(nodes, ['node1', 'node1', 'node2', 'node2']);
  runPods(api);
  sync();
  const ep = api.get(api.rt('', 'endpoints'), 'default', 'web') as KObject & { subsets: { addresses: unknown[]; ports: { port: number }[] }[] };
  t.is(ep.subsets[0]!.addresses.length, 4);
  t.is(ep.subsets[0]!.ports[0]!.port, 8080, 'named target port resolved');
  const slices = api.list(api.rt('discovery.k8s.io', 'endpointslices'), 'default', { labelSelector: 'kubernetes.io/service-name=web' }).items;
  t.is((slices[0]!['endpoints'] as unknown[]).length, 4);
  const d = api.get(api.rt('apps', 'deployments'), 'default', 'web')['status'] as { readyReplicas: number; availableReplicas: number };
  t.is(d.readyReplicas, 4);

  // Deleting the deployment collects its replica set and pods.
  api.delete(api.rt('apps', 'deployments'), 'default', 'web');
  sync();
  t.is(api.list(api.rt('apps', 'replicasets'), 'default').items.length, 0);
  t.is(api.list(api.rt('', 'pods'), 'default').items.length, 0);
});

test('a template change rolls to a new replica set and scales the old one down', (t) => {
  const { api, sync } = lab();
  api.create(api.rt('apps', 'deployments'), 'default', deployment(2));
  sync();
  runPods(api);
  sync();
  api.patch(api.rt('apps', 'deployments'), 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } });
  sync();
  runPods(api);
  sync();
  const rs = api.list(api.rt('apps', 'replicasets'), 'default').items.map((r) => (r['spec'] as { replicas: number }).replicas).sort();
  t.deepEqual(rs, [0, 2]);
});

test('a daemonset runs one pod per matching node and the scheduler honours anti-affinity', (t) => {
  const { api, sync } = lab();
  api.create(api.rt('apps', 'daemonsets'), 'kube-system', {
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'a', image: 'netobs/netobs:dev' }] } } },
  });
  api.create(api.rt('apps', 'daemonsets'), 'kube-system', {
    metadata: { name: 'ssd-only' },
    spec: { selector: { matchLabels: { app: 'ssd' } }, template: { metadata: { labels: { app: 'ssd' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', image: 'busybox' }] } } },
  });
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'solo' } } }] } };
  for (const n of ['a', 'b', 'c']) {
    api.create(api.rt('', 'pods'), 'default', { metadata: { name: `solo-${n}`, labels: { app: 'solo' } }, spec: { affinity: anti, containers: [{ name: 'c', image: 'busybox' }] } });
  }
  sync();
  const agents = api.list(api.rt('', 'pods'), 'kube-system', { labelSelector: 'app=agent' }).items;
  t.deepEqual(agents.map((p) => (p['spec'] as { nodeName: string }).nodeName).sort(), ['node1', 'node2']);
  const ssd = api.list(api.rt('', 'pods'), 'kube-system', { labelSelector: 'app=ssd' }).items;
  t.deepEqual(ssd.map((p) => (p['spec'] as { nodeName: string }).nodeName), ['node2']);
  const solo = api.list(api.rt('', 'pods'), 'default', { labelSelector: 'app=solo' }).items;
  const placed = solo.filter((p) => (p['spec'] as { nodeName?: string }).nodeName);
  t.is(placed.length, 2);
  const pending = solo.find((p) => !(p['spec'] as { nodeName?: string }).nodeName)!;
  const cond = (pending['status'] as { conditions: { type: string; reason: string; message: string }[] }).conditions.find((c) => c.type === 'PodScheduled')!;
  t.is(cond.reason, 'Unschedulable');
  t.regex(cond.message, /0\/2 nodes are available: 2 node\(s\) didn't match pod affinity\/anti-affinity rules/);
});

test('deleting a namespace removes its content, then the namespace', (t) => {
  const { api, sync } = lab();
  api.create(api.rt('', 'namespaces'), undefined, { metadata: { name: 'shop' } });
  sync();
  t.truthy(api.tryGet(api.rt('', 'serviceaccounts'), 'shop', 'default'));
  api.create(api.rt('', 'configmaps'), 'shop', { metadata: { name: 'c' } });
  api.delete(api.rt('', 'namespaces'), undefined, 'shop');
  t.is((api.get(api.rt('', 'namespaces'), undefined, 'shop')['status'] as { phase: string }).phase, 'Terminating');
  t.throws(() => api.create(api.rt('', 'configmaps'), 'shop', { metadata: { name: 'd' } }), { message: /being terminated/ });
  sync();
  t.falsy(api.tryGet(api.rt('', 'namespaces'), undefined, 'shop'));
});

test('foreground deletion waits for dependents; orphan deletion keeps them', (t) => {
  const { api, sync } = lab();
  api.create(api.rt('apps', 'deployments'), 'default', deployment(1));
  sync();
  api.delete(api.rt('apps', 'deployments'), 'default', 'web', { propagationPolicy: 'Orphan' });
  sync();
  t.falsy(api.tryGet(api.rt('apps', 'deployments'), 'default', 'web'));
  const rs = api.list(api.rt('apps', 'replicasets'), 'default').items;
  t.is(rs.length, 1);
  t.deepEqual(rs[0]!.metadata.ownerReferences ?? [], []);
  api.delete(api.rt('apps', 'replicasets'), 'default', rs[0]!.metadata.name!, { propagationPolicy: 'Foreground' });
  t.truthy(api.tryGet(api.rt('apps', 'replicasets'), 'default', rs[0]!.metadata.name!), 'still there while its pod exists');
  sync();
  t.is(api.list(api.rt('', 'pods'), 'default').items.length, 0);
  t.falsy(api.tryGet(api.rt('apps', 'replicasets'), 'default', rs[0]!.metadata.name!));
});
