// The lab's address and name plan, derived from its slot (several labs can run side by side).
// Pure: the same inputs always give the same plan, so `lab down` can recompute what to remove.
//
//   underlay  10.250.<slot>.0/24   host .1, node i at .(10+i), world .254 (bridge in its own netns)
//   pods      10.<200+slot>.<i>.0/24 per node, gateway .1 on the node
//   services  10.<96+slot>.0.0/16   kubernetes .1, kube-dns .10
//   world     198.18.<slot>.0/24    a few "internet" addresses behind the world netns

export const MAX_SLOTS = 32;

export interface NodePlan {
  index: number; // 1-based
  name: string; // Kubernetes node name
  netns: string;
  underlayIp: string;
  podCidr: string;
  gatewayIp: string;
  underlayPort: string; // bridge port in the underlay netns
}

export interface LabPlan {
  name: string;
  slot: number;
  prefix: string; // every netns, /etc/netns entry and BPF pin of this lab starts with it
  underlayNetns: string;
  underlayCidr: string;
  hostIp: string;
  hostLink: string; // host side of the host <-> underlay veth
  clusterPodCidr: string;
  serviceCidr: string;
  kubernetesServiceIp: string;
  dnsServiceIp: string;
  worldNetns: string;
  worldUnderlayIp: string;
  worldCidr: string;
  worldIps: string[];
  nftTable: string;
  nodes: NodePlan[];
}

export const LAB_NAME = /^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/;

export function labPlan(name: string, slot: number, nodeCount: number): LabPlan {
  if (!LAB_NAME.test(name)) throw new Error(`invalid lab name "${name}": use 1-12 lowercase letters, digits or '-'`);
  if (slot < 0 || slot >= MAX_SLOTS) throw new Error(`lab slot ${slot} out of range`);
  const prefix = `netobs-${name}-`;
  const podBase = 200 + slot;
  const nodes: NodePlan[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    nodes.push({
      index: i,
      name: `node${i}`,
      netns: `${prefix}node${i}`,
      underlayIp: `10.250.${slot}.${10 + i}`,
      podCidr: `10.${podBase}.${i}.0/24`,
      gatewayIp: `10.${podBase}.${i}.1`,
      underlayPort: `to-node${i}`,
    });
  }
  return {
    name,
    slot,
    prefix,
    underlayNetns: `${prefix}underlay`,
    underlayCidr: `10.250.${slot}.0/24`,
    hostIp: `10.250.${slot}.1`,
    hostLink: `nl-${name}`.slice(0, 15),
    clusterPodCidr: `10.${podBase}.0.0/16`,
    serviceCidr: `10.${96 + slot}.0.0/16`,
    kubernetesServiceIp: `10.${96 + slot}.0.1`,
    dnsServiceIp: `10.${96 + slot}.0.10`,
    worldNetns: `${prefix}world`,
    worldUnderlayIp: `10.250.${slot}.254`,
    worldCidr: `198.18.${slot}.0/24`,
    worldIps: [`198.18.${slot}.10`, `198.18.${slot}.11`, `198.18.${slot}.12`],
    nftTable: `netobs_lab_${name.replace(/-/g, '_')}`,
    nodes,
  };
}

export function podNetnsName(plan: LabPlan, podUid: string): string {
  return `${plan.prefix}pod-${podUid.replace(/-/g, '').slice(0, 12)}`;
}
