// A pod's network: its own netns (made here, as the runtime makes the sandbox's), then the node's
// CNI chain (lab/node/cni.ts: ptp + host-local, and whatever an installer chained after them,
// netobs's plugin when netobs is installed) gives it its interface, address and routes.
import { ipBatch, sh } from './sh.ts';
import { cniAdd, cniDel, resultIpv4, type CniAttachment, type CniInvocation } from './cni.ts';

export interface PodNet {
  netns: string;
  ip: string;
  attachment: CniAttachment;
}

export type PodNetRequest = Omit<CniInvocation, 'netnsPath' | 'ifname'> & { netns: string };

const invocation = (r: PodNetRequest): CniInvocation => ({ ...r, netnsPath: `/var/run/netns/${r.netns}`, ifname: 'eth0' });

export async function createPodNetwork(r: PodNetRequest): Promise<PodNet> {
  await sh('ip', ['netns', 'delete', r.netns], { allowFail: true });
  await sh('ip', ['netns', 'add', r.netns]);
  try {
    await ipBatch(['link set lo up'], r.netns);
    const attachment = await cniAdd(invocation(r));
    const ip = resultIpv4(attachment.result);
    if (!ip) {
      await cniDel(invocation(r), attachment).catch(() => {});
      throw new Error(`CNI ADD gave ${r.netns} no IPv4 address`);
    }
    return { netns: r.netns, ip, attachment };
  } catch (e) {
    await sh('ip', ['netns', 'delete', r.netns], { allowFail: true });
    throw e;
  }
}

/** CNI DEL (frees the address, removes the veth and what chained plugins keep), then the netns. */
export async function deletePodNetwork(r: PodNetRequest, net: PodNet): Promise<void> {
  try {
    await cniDel(invocation(r), net.attachment);
  } finally {
    await sh('ip', ['netns', 'delete', net.netns], { allowFail: true });
  }
}
