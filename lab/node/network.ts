// The lab's wires: an underlay bridge in its own netns, one netns per node plugged into it, a
// "world" netns with internet-like addresses, and a veth from the host so the API server, DNS
// and kubectl port-forward reach pods. Native routing: every node routes the other nodes' pod
// CIDRs to their underlay addresses.
import { mkdir, rm, writeFile, readdir } from 'node:fs/promises';
import { ip, ipBatch, sh, sysctl } from './sh.ts';
import type { LabPlan, NodePlan } from './plan.ts';

async function addNetns(name: string): Promise<void> {
  await ip('netns', 'add', name);
  await ipBatch(['link set lo up'], name);
}

export async function createUnderlay(plan: LabPlan): Promise<void> {
  const ul = plan.underlayNetns;
  await addNetns(ul);
  await ipBatch(['link add br0 type bridge', 'link set br0 up', 'link add to-host type veth peer name eth0', 'link set to-host master br0 up'], ul);
  // The host end moves out of the underlay netns into the host, renamed.
  await ip('-n', ul, 'link', 'set', 'eth0', 'netns', '1', 'name', plan.hostLink);
  await ipBatch([`addr add ${plan.hostIp}/24 dev ${plan.hostLink}`, `link set ${plan.hostLink} up`]);
}

export async function createNode(plan: LabPlan, node: NodePlan): Promise<void> {
  await addNetns(node.netns);
  await ipBatch([`link add ${node.underlayPort} type veth peer name eth0 netns ${node.netns}`, `link set ${node.underlayPort} master br0 up`], plan.underlayNetns);
  const routes = plan.nodes.filter((n) => n !== node).map((n) => `route add ${n.podCidr} via ${n.underlayIp} dev eth0`);
  await ipBatch(
    [
      `addr add ${node.underlayIp}/24 dev eth0`,
      'link set eth0 up',
      // The pods' gateway address is local to the node (on lo: kernels without the dummy driver
      // exist), so the node answers ARP for it on every pod veth.
      `addr add ${node.gatewayIp}/32 dev lo`,
      ...routes,
      `route add ${plan.worldCidr} via ${plan.worldUnderlayIp} dev eth0`,
      // Only so host-network processes pass the first route lookup; nftables DNAT then re-routes.
      `route add ${plan.serviceCidr} via ${plan.hostIp} dev eth0`,
    ],
    node.netns,
  );
  await sysctl(node.netns, { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0, 'net.ipv4.conf.all.forwarding': 1 });
  await ipBatch([`route add ${node.podCidr} via ${node.underlayIp} dev ${plan.hostLink}`]);
}

export async function createWorld(plan: LabPlan): Promise<void> {
  const w = plan.worldNetns;
  await addNetns(w);
  await ipBatch([`link add to-world type veth peer name eth0 netns ${w}`, 'link set to-world master br0 up'], plan.underlayNetns);
  await ipBatch(
    [
      `addr add ${plan.worldUnderlayIp}/24 dev eth0`,
      'link set eth0 up',
      ...plan.worldIps.map((a) => `addr add ${a}/32 dev lo`),
      ...plan.nodes.map((n) => `route add ${n.podCidr} via ${n.underlayIp} dev eth0`),
    ],
    w,
  );
  await ipBatch([`route add ${plan.worldCidr} via ${plan.worldUnderlayIp} dev ${plan.hostLink}`, `route add ${plan.serviceCidr} via ${plan.nodes[0]!.underlayIp} dev ${plan.hostLink}`]);
}

/** /etc/netns/<netns>/ files that `ip netns exec` bind-mounts over /etc (resolv.conf, hosts). */
export async function writeEtcNetns(netns: string, files: Record<string, string>): Promise<void> {
  const dir = `/etc/netns/${netns}`;
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(`${dir}/${name}`, content);
}

export async function removeEtcNetns(netns: string): Promise<void> {
  await rm(`/etc/netns/${netns}`, { recursive: true, force: true });
}

/** Every netns of a lab, whatever made it (so teardown finds leftovers of a crashed lab too). */
export async function labNetnsNames(plan: LabPlan): Promise<string[]> {
  const out = await sh('ip', ['netns', 'list'], { allowFail: true });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(plan.prefix));
}

export async function labEtcNetns(plan: LabPlan): Promise<string[]> {
  try {
    return (await readdir('/etc/netns')).filter((n) => n.startsWith(plan.prefix));
  } catch {
    return [];
  }
}
