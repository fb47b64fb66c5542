// A pod's network: its own netns, a veth whose host side (lxc…) sits in the node's netns, a /32
// address from the node's pod CIDR and a default route via the node's gateway address.
import { ip, ipBatch, sh } from './sh.ts';
import type { NodePlan } from './plan.ts';

export interface PodNet {
  netns: string;
  link: string;
  ip: string;
}

export async function createPodNetwork(node: NodePlan, netns: string, link: string, podIp: string): Promise<PodNet> {
  await sh('ip', ['netns', 'delete', netns], { allowFail: true });
  await ip('netns', 'add', netns);
  try {
    await ipBatch([`link add ${link} type veth peer name eth0 netns ${netns}`, `link set ${link} up`], node.netns);
    await ipBatch(
      ['link set lo up', `addr add ${podIp}/32 dev eth0`, 'link set eth0 up', `route add ${node.gatewayIp} dev eth0 scope link`, `route add default via ${node.gatewayIp} dev eth0`],
      netns,
    );
    await ipBatch([`route replace ${podIp}/32 dev ${link}`], node.netns);
  } catch (e) {
    await deletePodNetwork(node, { netns, link, ip: podIp });
    throw e;
  }
  return { netns, link, ip: podIp };
}

export async function deletePodNetwork(node: NodePlan, net: PodNet): Promise<void> {
  // Deleting the netns destroys the veth pair; the route goes with the host side.
  await sh('ip', ['-n', node.netns, 'link', 'del', net.link], { allowFail: true });
  await sh('ip', ['netns', 'delete', net.netns], { allowFail: true });
}
