// From what is running in the test namespace to the Topology scenarios read: which pod is
// client, client2…, their services and the cluster DNS. The lookup is pure; discover() only lists.
import { UserError } from '../lib/errors.ts';
import type { ClusterClient, NodeInfo, PodInfo, ServiceInfo } from './framework/cluster.ts';
import type { Topology } from './framework/types.ts';
import { NAMES } from './deployment.ts';

export interface Listing {
  namespace: string;
  pods: PodInfo[];
  services: ServiceInfo[];
  nodes: NodeInfo[];
  dnsServices: ServiceInfo[];
}

const byLabel = (pods: PodInfo[], name: string) => pods.filter((p) => p.labels.name === name && p.ready && p.ip !== '');

export function buildTopology(l: Listing): Topology {
  const one = (name: string): PodInfo | undefined => byLabel(l.pods, name)[0];
  const need = (name: string): PodInfo => {
    const p = one(name);
    if (!p) throw new UserError(`connectivity: no ready ${name} pod in namespace ${l.namespace} (run again without --keep, or check 'kubectl -n ${l.namespace} get pods')`);
    return p;
  };
  const svc = (name: string) => l.services.find((s) => s.name === name);
  const client = need(NAMES.client);
  const echoSameNodeService = svc(NAMES.echoSameNode);
  if (!echoSameNodeService) throw new UserError(`connectivity: service ${l.namespace}/${NAMES.echoSameNode} not found`);
  const topo: Topology = {
    namespace: l.namespace,
    nodes: l.nodes,
    client,
    client2: need(NAMES.client2),
    echoSameNode: need(NAMES.echoSameNode),
    echoSameNodeService,
    hostPods: byLabel(l.pods, NAMES.hostNetns),
  };
  const client3 = one(NAMES.client3);
  const echoOtherNode = one(NAMES.echoOtherNode);
  const echoOtherNodeService = svc(NAMES.echoOtherNode);
  // Placement is what the other-node scenarios rely on: check it rather than trust the scheduler.
  if (client3 && client3.nodeName !== client.nodeName) topo.client3 = client3;
  if (echoOtherNode && echoOtherNodeService && echoOtherNode.nodeName !== client.nodeName) {
    topo.echoOtherNode = echoOtherNode;
    topo.echoOtherNodeService = echoOtherNodeService;
  }
  const dns = l.dnsServices.find((s) => s.clusterIP && s.clusterIP !== 'None');
  if (dns) topo.clusterDNS = dns;
  return topo;
}

export async function discoverTopology(cluster: ClusterClient, namespace: string): Promise<Topology> {
  const [pods, services, nodes, dnsServices] = await Promise.all([
    cluster.listPods(namespace),
    cluster.listServices(namespace),
    cluster.listNodes(),
    cluster.listServices('kube-system', { 'k8s-app': 'kube-dns' }),
  ]);
  return buildTopology({ namespace, pods, services, nodes, dnsServices });
}
