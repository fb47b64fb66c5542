// netobs's chained CNI plugin: ADD puts the pod's host-side veth behind netobs's programs with a
// NOT_READY endpoint entry (it sends and receives nothing, bpf/README.md "Start-up") before the
// runtime starts any container; DEL removes the entry and the endpoint's connections. Both go
// through what the agent pinned in bpffs, so they work while the agent is stopped or crash-looping;
// the agent adopts the entry when it sees the pod and turns it ready once identity and policy are
// in place (agent/endpoints/manager.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEFAULT_BPFFS_ROOT, PinnedDatapath, ifnameOf } from '../../bpf/loader/index.ts';
import { endpointIdOf, MAX_ENDPOINT_ID } from '../endpoints/endpoint-id.ts';
import { parseLinks } from '../endpoints/iproute.ts';
import { ReservedIdentity } from '../identity/reserved.ts';
import { CniCode, CniError, resultAddresses, type CniRequest, type CniResult } from './protocol.ts';

const pexec = promisify(execFile);
// Runtimes do not promise a PATH to plugins.
const TOOL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function tool(file: string, args: string[]): Promise<string> {
  return (await pexec(file, args, { env: { ...process.env, PATH: process.env['PATH'] || TOOL_PATH }, maxBuffer: 4 << 20 })).stdout;
}

/**
 * The host side of the pod's interface: the peer of CNI_IFNAME inside CNI_NETNS, checked from the
 * host (a veth whose own peer is the pod's interface). Undefined when the netns or link is gone.
 */
export async function hostVeth(netns: string, ifname: string): Promise<{ ifindex: number; ifname: string } | undefined> {
  let inner;
  try {
    inner = parseLinks(await tool('nsenter', [`--net=${netns}`, 'ip', '-j', 'link', 'show', 'dev', ifname]))[0];
  } catch {
    return undefined;
  }
  if (inner?.linkIndex === undefined) return undefined;
  const name = ifnameOf(inner.linkIndex);
  if (!name) return undefined;
  const host = parseLinks(await tool('ip', ['-j', '-d', 'link', 'show', 'dev', name]).catch(() => ''))[0];
  if (host?.kind !== 'veth' || host.linkIndex !== inner.ifindex) return undefined;
  return { ifindex: host.ifindex, ifname: host.ifname };
}

/** The pod's endpoint ID: the agent's (hash of namespace/name), moved past IDs other interfaces hold. */
export function cniEndpointId(args: Record<string, string>, containerId: string, taken: ReadonlySet<number>): number {
  const ns = args['K8S_POD_NAMESPACE'];
  const name = args['K8S_POD_NAME'];
  let id = ns && name ? endpointIdOf(ns, name) : endpointIdOf('', containerId);
  for (let i = 0; taken.has(id); i++) {
    if (i >= MAX_ENDPOINT_ID) throw new CniError(CniCode.attachFailed, 'every endpoint id of this node is in use');
    id = (id % MAX_ENDPOINT_ID) + 1;
  }
  return id;
}

function openPinned(root: string, forAdd: boolean): PinnedDatapath | undefined {
  if (!PinnedDatapath.present(root)) {
    if (!forAdd) return undefined;
    throw new CniError(CniCode.datapathMissing, `netobs datapath is not pinned under ${root}: the netobs agent has not started on this node yet, and no pod starts here without netobs's programs`, 'start the netobs agent (kubectl netobs install), or remove netobs from the CNI conflist');
  }
  try {
    return PinnedDatapath.open(root);
  } catch (e) {
    throw new CniError(CniCode.datapathMissing, `open netobs datapath under ${root}: ${(e as Error).message}`);
  }
}

export async function cniAdd(req: CniRequest): Promise<CniResult> {
  const root = req.conf.bpffsRoot ?? DEFAULT_BPFFS_ROOT;
  const veth = await hostVeth(req.netns, req.ifname);
  if (!veth) throw new CniError(CniCode.attachFailed, `no host-side veth found for ${req.ifname} in ${req.netns}: netobs needs a veth-based plugin before it in the chain`);
  const dp = openPinned(root, true)!;
  try {
    const addrs = resultAddresses(req.conf.prevResult);
    const ips = [addrs.ipv4, addrs.ipv6].filter((a): a is string => !!a);
    const entries = dp.endpoints.entries();
    // A pod that reuses a deleted pod's address inherits nothing: an entry left for the address
    // (its DEL never ran) goes, and so does every connection of the address.
    for (const e of entries) {
      if (e.ifindex !== veth.ifindex && ips.some((ip) => ip === e.ipv4 || ip === e.ipv6)) {
        dp.endpoints.delete(e.ifindex);
        dp.conntrack.flushEndpoint(e.endpointId, ips);
      }
    }
    const taken = new Set(entries.filter((e) => e.ifindex !== veth.ifindex && !ips.some((ip) => ip === e.ipv4 || ip === e.ipv6)).map((e) => e.endpointId));
    const endpointId = cniEndpointId(req.args, req.containerId, taken);
    dp.conntrack.flushEndpoint(endpointId, ips);
    // Entry first, then the programs: the first packet they see already finds it not ready.
    dp.endpoints.set(veth.ifindex, { endpointId, identity: ReservedIdentity.init, notReady: true, checkSource: true, ...addrs });
    try {
      dp.attach(veth.ifindex, veth.ifname);
    } catch (e) {
      dp.endpoints.delete(veth.ifindex);
      throw new CniError(CniCode.attachFailed, `attach netobs to ${veth.ifname}: ${(e as Error).message}`);
    }
    if (!PinnedDatapath.attached(veth.ifindex)) throw new CniError(CniCode.attachFailed, `netobs's programs are not on ${veth.ifname} after attach`);
  } finally {
    dp.close();
  }
  return { ...req.conf.prevResult, cniVersion: req.conf.cniVersion };
}

export async function cniDel(req: CniRequest): Promise<void> {
  const dp = openPinned(req.conf.bpffsRoot ?? DEFAULT_BPFFS_ROOT, false);
  if (!dp) return;
  try {
    const veth = req.netns ? await hostVeth(req.netns, req.ifname) : undefined;
    const { ipv4, ipv6 } = resultAddresses(req.conf.prevResult);
    const ips = [ipv4, ipv6].filter((a): a is string => !!a);
    for (const e of dp.endpoints.entries()) {
      const mine = e.ifindex === veth?.ifindex || (ips.length > 0 && ips.some((ip) => ip === e.ipv4 || ip === e.ipv6));
      if (!mine) continue;
      dp.endpoints.delete(e.ifindex);
      dp.conntrack.flushEndpoint(e.endpointId, [e.ipv4, e.ipv6].filter((a): a is string => !!a));
    }
  } finally {
    dp.close();
  }
}

export async function cniCheck(req: CniRequest): Promise<void> {
  const veth = await hostVeth(req.netns, req.ifname);
  if (!veth) throw new CniError(CniCode.unknownContainer, `no host-side veth for ${req.ifname} in ${req.netns}`);
  const dp = openPinned(req.conf.bpffsRoot ?? DEFAULT_BPFFS_ROOT, true)!;
  try {
    if (!dp.endpoints.get(veth.ifindex)) throw new CniError(CniCode.attachFailed, `${veth.ifname} has no netobs endpoint entry`);
    if (!PinnedDatapath.attached(veth.ifindex)) throw new CniError(CniCode.attachFailed, `${veth.ifname} does not carry netobs's programs`);
  } finally {
    dp.close();
  }
}
