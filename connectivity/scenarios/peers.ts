// Building blocks for scenarios: peers for pods, services, nodes and the outside world, and one
// way to name and build an action, so every scenario reads as "from these to those, with this".
import type { NodeInfo, PodInfo, ServiceInfo } from '../framework/cluster.ts';
import type { Action, Peer, ProbeSpec, Topology } from '../framework/types.ts';
import { NAMES } from '../deployment.ts';

export type Source = Peer & { pod: PodInfo };

export const podPeer = (role: string, pod: PodInfo): Source => ({ name: role, role, ips: [pod.ip], pod });

/** A host-network pod stands for its node: flows show the node's addresses. */
export function hostPeer(pod: PodInfo, nodes: NodeInfo[]): Source {
  const node = nodes.find((n) => n.name === pod.nodeName);
  return { name: `host/${pod.nodeName}`, role: 'host', ips: [...new Set([pod.ip, ...(node?.addresses ?? [])])], pod };
}

export const nodePeer = (node: NodeInfo): Peer => ({ name: `node/${node.name}`, role: 'host', ips: node.addresses });

/** A service is its VIP plus its backend, since flows show one or the other depending on where. */
export const servicePeer = (svc: ServiceInfo, backend: PodInfo, role: string): Peer => ({
  name: `${svc.name} (ClusterIP)`, role, ips: [svc.clusterIP, backend.ip], pod: backend,
});

export const port = (svc: ServiceInfo, name: string) => svc.ports.find((p) => p.name === name);

/** The client pods present in this topology, by role. */
export function clients(t: Topology, roles: readonly string[] = [NAMES.client, NAMES.client2]): Source[] {
  const all: [string, PodInfo | undefined][] = [[NAMES.client, t.client], [NAMES.client2, t.client2], [NAMES.client3, t.client3]];
  return all.filter(([r, p]) => p && roles.includes(r)).map(([r, p]) => podPeer(r, p!));
}

/** Echo pods with their service, same node first. */
export function echoes(t: Topology): { role: string; pod: PodInfo; svc: ServiceInfo }[] {
  const out: { role: string; pod: PodInfo; svc: ServiceInfo }[] = [{ role: NAMES.echoSameNode, pod: t.echoSameNode, svc: t.echoSameNodeService }];
  if (t.echoOtherNode && t.echoOtherNodeService) out.push({ role: NAMES.echoOtherNode, pod: t.echoOtherNode, svc: t.echoOtherNodeService });
  return out;
}

export function makeAction(scenario: string, source: Source, destination: Peer, probe: ProbeSpec, check?: Action['check']): Action {
  const where = probe.kind === 'dns' ? `${probe.target}@${probe.server ?? 'resolv.conf'}` : probe.target;
  return {
    scenario,
    name: `${scenario}/${source.name}->${destination.name} ${probe.kind} ${where}`,
    source,
    destination,
    probe,
    ...(check ? { check } : {}),
  };
}

export const hostPort = (ip: string, p: number) => (ip.includes(':') ? `[${ip}]:${p}` : `${ip}:${p}`);
