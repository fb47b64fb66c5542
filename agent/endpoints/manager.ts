// Local pods as datapath endpoints. For each pod scheduled here with its own network: find its
// host-side veth (discover.ts), give it a stable endpoint ID, and once the caller has written its
// policy, write its endpoint map entry and attach the programs. Pods whose veth cannot be found
// (yet) or whose attach failed are "unmanaged" and retried; deleted pods are removed.
import { readFile } from 'node:fs/promises';
import { objectKey, podIPs, type PodObject } from '../../lib/kube-objects.ts';
import { EndpointIds } from './endpoint-id.ts';
import type { HostInterface, VethDiscovery } from './discover.ts';

type Found = { readonly ifindex: number; readonly ifname: string; readonly via: HostInterface['via'] | 'pinned' };

export interface EndpointRecord {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly id: number;
  readonly ifindex: number;
  readonly ifname: string;
  readonly via: HostInterface['via'] | 'pinned';
  readonly ipv4?: string;
  readonly ipv6?: string;
  identity: number;
  /** Programs attached and endpoint map entry written. */
  ready: boolean;
  /** Programs attached with a not-ready entry (fail closed until identity and policy are in place). */
  notReady?: boolean;
}

export interface EndpointWriter {
  attach(ifindex: number): void;
  /** Writes (or rewrites) the endpoint map entry. */
  write(rec: EndpointRecord): void;
  /** Writes the entry of an endpoint that is not ready (EP_F_NOT_READY: it sends and receives
   * nothing), so programs can be attached before its identity and policy exist. Optional for
   * callers that manage ready endpoints only. */
  writeNotReady?(rec: EndpointRecord): void;
  /** Removes the entry of an interface (the veth is usually gone with the pod's namespace). */
  remove(ifindex: number): void;
}

/** An entry of the pinned endpoint map, as a previous agent left it. */
export interface PinnedEndpoint {
  readonly ifindex: number;
  readonly ifname: string;
  readonly id: number;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export interface Unmanaged {
  readonly pod: string;
  readonly reason: string;
}

async function ifindexOfName(ifname: string): Promise<number | undefined> {
  try {
    return Number((await readFile(`/sys/class/net/${ifname}/ifindex`, 'utf8')).trim());
  } catch {
    return undefined;
  }
}

export class EndpointManager {
  readonly records = new Map<string, EndpointRecord>();
  readonly ids = new EndpointIds();
  /** pod key -> why it is not managed (no veth yet, attach error). */
  readonly unmanaged = new Map<string, string>();

  constructor(
    private readonly discovery: VethDiscovery,
    /**
     * The pinned endpoint map at start (after a restart): pods found there by IP keep their
     * interface and ID without discovery, so the first apply never drops a pod's policy.
     */
    pinned: readonly PinnedEndpoint[] = [],
  ) {
    for (const p of pinned) {
      this.#previousIds.set(p.ifindex, p.id);
      for (const ip of [p.ipv4, p.ipv6]) if (ip) this.#pinnedByIp.set(ip, p);
    }
  }

  readonly #previousIds = new Map<number, number>();
  readonly #pinnedByIp = new Map<string, PinnedEndpoint>();

  async #find(ip: string): Promise<Found | undefined> {
    const p = this.#pinnedByIp.get(ip);
    if (p) {
      this.#pinnedByIp.delete(ip);
      if ((await ifindexOfName(p.ifname)) === p.ifindex) return { ifindex: p.ifindex, ifname: p.ifname, via: 'pinned' };
    }
    return this.discovery.find(ip);
  }

  /**
   * Brings the records in line with the local pods: finds interfaces for new pods (and for pods
   * whose interface changed), drops records of pods that are gone. Returns what changed; nothing
   * is written to the datapath here.
   */
  async discover(pods: readonly PodObject[]): Promise<{ added: EndpointRecord[]; removed: EndpointRecord[] }> {
    const want = new Map(pods.map((p) => [objectKey(p.metadata), p]));
    const removed: EndpointRecord[] = [];
    for (const [key, rec] of this.records) {
      const pod = want.get(key);
      const stale = !pod || !podIPs(pod).some((ip) => ip === rec.ipv4 || ip === rec.ipv6) || (await ifindexOfName(rec.ifname)) !== rec.ifindex;
      if (!stale) continue;
      this.records.delete(key);
      removed.push(rec);
      if (!pod) this.ids.release(rec.namespace, rec.name);
    }
    for (const key of this.unmanaged.keys()) if (!want.has(key)) this.unmanaged.delete(key);
    const added: EndpointRecord[] = [];
    const missing = pods.filter((p) => !this.records.has(objectKey(p.metadata)));
    await Promise.all(missing.map(async (p) => {
      const key = objectKey(p.metadata);
      const ips = podIPs(p);
      let found: Found | undefined;
      for (const ip of ips) if ((found = await this.#find(ip))) break;
      if (!found) {
        this.unmanaged.set(key, `no host interface found for ${ips.join(', ')} yet`);
        return;
      }
      const ns = p.metadata.namespace ?? 'default';
      const ipv4 = ips.find((ip) => !ip.includes(':'));
      const ipv6 = ips.find((ip) => ip.includes(':'));
      const rec: EndpointRecord = {
        key, namespace: ns, name: p.metadata.name, id: this.ids.assign(ns, p.metadata.name, this.#previousIds.get(found.ifindex)),
        ifindex: found.ifindex, ifname: found.ifname, via: found.via, identity: 0, ready: false,
        ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}),
      };
      this.records.set(key, rec);
      added.push(rec);
    }));
    return { added, removed };
  }

  /** Writes entries and attaches programs for records not ready yet; failures go to unmanaged. */
  activate(writer: EndpointWriter): void {
    for (const rec of this.records.values()) {
      if (rec.ready) continue;
      if (rec.identity === 0) {
        // Fail closed from the moment the interface is seen: programs on it with a not-ready
        // entry, so nothing passes before the pod's identity and policy are in place. The same
        // path serves a CNI plugin that calls in at ADD.
        if (writer.writeNotReady && !rec.notReady) {
          try {
            writer.writeNotReady(rec);
            writer.attach(rec.ifindex);
            rec.notReady = true;
          } catch (err) {
            this.unmanaged.set(rec.key, `attach ${rec.ifname} (not ready): ${(err as Error).message}`);
            continue;
          }
        }
        this.unmanaged.set(rec.key, rec.notReady ? 'not ready: no identity allocated yet (attached, dropping all its traffic)' : 'no identity allocated yet');
        continue;
      }
      try {
        writer.write(rec);
        if (!rec.notReady) writer.attach(rec.ifindex);
        rec.ready = true;
        rec.notReady = false;
        this.unmanaged.delete(rec.key);
      } catch (err) {
        this.unmanaged.set(rec.key, `attach ${rec.ifname}: ${(err as Error).message}`);
      }
    }
  }

  /** Pods waiting for an interface or an attach retry. */
  get pending(): number {
    return this.unmanaged.size;
  }

  byId(id: number): EndpointRecord | undefined {
    for (const r of this.records.values()) if (r.id === id) return r;
    return undefined;
  }

  list(): Unmanaged[] {
    return [...this.unmanaged].map(([pod, reason]) => ({ pod, reason })).sort((a, b) => a.pod.localeCompare(b.pod));
  }
}
