// Finds the host-side interface of a pod from its IP, for any CNI that gives pods a veth pair:
//   1. route:  the host routes the pod IP straight to a veth (Calico, ptp, kindnet, Cilium-like);
//   2. bridge: the route goes to a bridge (flannel's cni0, the bridge plugin): the neighbour
//              entry gives the pod's MAC, the bridge's forwarding table the port it sits behind;
//   3. netns:  otherwise look inside the network namespaces the runtime names (/var/run/netns on
//              the host): the interface holding the IP is a veth whose peer index is ours.
// Each step runs iproute2 (`ip -j`), read by iproute.ts; a runner can be swapped in for tests.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseFdbPort, parseLinks, parseNeighbour, parseRouteGet, type LinkInfo } from './iproute.ts';

export interface HostInterface {
  readonly ifindex: number;
  readonly ifname: string;
  readonly via: 'route' | 'bridge' | 'netns';
}

/** Runs a command and returns its stdout; rejects when it fails. */
export type Runner = (file: string, args: readonly string[]) => Promise<string>;

const pexec = promisify(execFile);
export const execRunner: Runner = async (file, args) => (await pexec(file, [...args], { maxBuffer: 16 << 20 })).stdout;

export interface DiscoveryOptions {
  /** Directories holding the runtime's named network namespaces (bind mounts). */
  netnsDirs?: readonly string[];
  run?: Runner;
}

export class VethDiscovery {
  readonly #run: Runner;
  readonly #netnsDirs: readonly string[];

  constructor(o: DiscoveryOptions = {}) {
    this.#run = o.run ?? execRunner;
    this.#netnsDirs = o.netnsDirs ?? ['/var/run/netns'];
  }

  async #try(file: string, args: string[]): Promise<string> {
    try {
      return await this.#run(file, args);
    } catch {
      return '';
    }
  }

  async #link(name: string): Promise<LinkInfo | undefined> {
    return parseLinks(await this.#try('ip', ['-j', '-d', 'link', 'show', 'dev', name]))[0];
  }

  /** Host links (ip -d link), for the netns strategy's check and for callers. */
  async links(): Promise<LinkInfo[]> {
    return parseLinks(await this.#try('ip', ['-j', '-d', 'link', 'show']));
  }

  /** The veth behind one pod IP, or undefined when none is found (yet). */
  async find(ip: string): Promise<HostInterface | undefined> {
    const route = parseRouteGet(await this.#try('ip', ['-j', 'route', 'get', ip]));
    if (route && !route.gateway) {
      const dev = await this.#link(route.dev);
      if (dev?.kind === 'veth') return { ifindex: dev.ifindex, ifname: dev.ifname, via: 'route' };
      if (dev?.kind === 'bridge') {
        const mac = parseNeighbour(await this.#try('ip', ['-j', 'neigh', 'show', ip, 'dev', dev.ifname]), ip);
        const port = mac && parseFdbPort(await this.#try('bridge', ['-j', 'fdb', 'show', 'br', dev.ifname]), mac, dev.ifname);
        const link = port ? await this.#link(port) : undefined;
        if (link?.kind === 'veth') return { ifindex: link.ifindex, ifname: link.ifname, via: 'bridge' };
      }
    }
    return (await this.findInNamespaces([ip])).get(ip);
  }

  /** Looks for several IPs at once inside the named network namespaces. */
  async findInNamespaces(ips: readonly string[]): Promise<Map<string, HostInterface>> {
    const out = new Map<string, HostInterface>();
    const want = new Set(ips);
    const files: string[] = [];
    for (const dir of this.#netnsDirs) {
      try {
        for (const f of await readdir(dir)) files.push(path.join(dir, f));
      } catch {
        /* no such directory on this host */
      }
    }
    if (files.length === 0) return out;
    let host: Map<number, LinkInfo> | undefined;
    for (const file of files) {
      if (out.size === want.size) break;
      const inner = parseLinks(await this.#try('nsenter', [`--net=${file}`, 'ip', '-j', 'addr', 'show']));
      for (const l of inner) {
        const ip = l.addresses.find((a) => want.has(a) && !out.has(a));
        if (!ip || l.linkIndex === undefined) continue;
        host ??= new Map((await this.links()).map((h) => [h.ifindex, h]));
        const peer = host.get(l.linkIndex);
        // The peer index is only ours if the host interface points back at this one.
        if (peer?.kind === 'veth' && peer.linkIndex === l.ifindex) out.set(ip, { ifindex: peer.ifindex, ifname: peer.ifname, via: 'netns' });
      }
    }
    return out;
  }
}
