import test from 'ava';
import { buildTopology, discoverTopology, type Listing } from '../../connectivity/topology.ts';
import { FakeCluster, NODES, topology } from './helpers.ts';

function listing(): Listing {
  const t = topology();
  return {
    namespace: 'netobs-test',
    pods: [t.client, t.client2, t.client3!, t.echoSameNode, t.echoOtherNode!, ...t.hostPods],
    services: [t.echoSameNodeService, t.echoOtherNodeService!],
    nodes: NODES,
    dnsServices: [t.clusterDNS!],
  };
}

test('finds every role by its name label', (t) => {
  t.deepEqual(buildTopology(listing()), topology());
});

test('other-node roles are dropped when the scheduler put them on the client node', (t) => {
  const l = listing();
  l.pods = l.pods.map((p) => (p.labels.name === 'client3' || p.labels.name === 'echo-other-node' ? { ...p, nodeName: 'node-1' } : p));
  const topo = buildTopology(l);
  t.is(topo.client3, undefined);
  t.is(topo.echoOtherNode, undefined);
  t.is(topo.echoOtherNodeService, undefined);
});

test('pods that are not ready or have no IP do not count; a missing client is a user error', (t) => {
  const l = listing();
  l.pods = l.pods.map((p) => (p.labels.name === 'client' ? { ...p, ready: false } : p));
  t.throws(() => buildTopology(l), { message: /^connectivity: no ready client pod in namespace netobs-test/ });
  const l2 = listing();
  l2.services = [];
  t.throws(() => buildTopology(l2), { message: 'connectivity: service netobs-test/echo-same-node not found' });
  const l3 = listing();
  l3.dnsServices = [{ ...l3.dnsServices[0]!, clusterIP: 'None' }];
  t.is(buildTopology(l3).clusterDNS, undefined);
});

test('discovery lists pods, services, nodes and the cluster DNS', async (t) => {
  const l = listing();
  const calls: string[] = [];
  const cluster = new FakeCluster(() => ({ stdout: '', stderr: '', exitCode: 0 }));
  cluster.listPods = async (ns) => { calls.push(`pods ${ns}`); return l.pods; };
  cluster.listServices = async (ns, sel) => { calls.push(`services ${ns} ${JSON.stringify(sel ?? {})}`); return ns === 'kube-system' ? l.dnsServices : l.services; };
  t.deepEqual(await discoverTopology(cluster, 'netobs-test'), topology());
  t.deepEqual(calls.sort(), ['pods netobs-test', 'services kube-system {"k8s-app":"kube-dns"}', 'services netobs-test {}']);
});
