// Keeps the datapath's ipcache equal to what the cluster says: every pod IP with its pod's
// identity, every node address (host for this node, remote-node for the others), the world
// default, and the CIDR identities the policies need. desiredIpcache is pure; IpcacheSync
// writes the difference, adds and changes before removals, so a prefix is never missing while
// it moves.
import { parseCidr, formatIp } from '../../bpf/loader/index.ts';
import type { IpcacheEntry } from '../policy/entries.ts';
import { ReservedIdentity } from '../identity/reserved.ts';

export interface IpcacheValue {
  readonly identity: number;
  readonly tunnelEndpoint?: string;
}

export interface IpcacheInput {
  readonly pods: readonly { readonly ips: readonly string[]; readonly identity: number; readonly hostIP?: string; readonly local: boolean }[];
  readonly nodes: readonly { readonly addresses: readonly string[]; readonly local: boolean }[];
  readonly cidrs: readonly IpcacheEntry[];
  /** The API server's addresses (agent/policy/kube-apiserver.ts); absent = none known. */
  readonly kubeApiserver?: readonly string[];
}

/** Canonical text of a prefix (host bits cleared), as the loader's entries() prints it. */
export function canonicalPrefix(text: string): string {
  const c = parseCidr(text);
  return c.family === 4 ? `${formatIp(c.addr)}/${c.prefixlen - 96}` : `${formatIp(c.addr)}/${c.prefixlen}`;
}

const hostPrefix = (ip: string): string => canonicalPrefix(ip.includes(':') ? `${ip}/128` : `${ip}/32`);

export function desiredIpcache(input: IpcacheInput): Map<string, IpcacheValue> {
  const out = new Map<string, IpcacheValue>();
  out.set('0.0.0.0/0', { identity: ReservedIdentity.world });
  out.set('::/0', { identity: ReservedIdentity.world });
  for (const c of input.cidrs) out.set(canonicalPrefix(c.prefix), { identity: c.identity });
  for (const n of input.nodes) {
    const identity = n.local ? ReservedIdentity.host : ReservedIdentity['remote-node'];
    for (const a of n.addresses) out.set(hostPrefix(a), { identity });
  }
  // The API server's addresses are kube-apiserver, except this node's, which stay host (the host
  // identity then counts as kube-apiserver, see agent/policy/kube-apiserver.ts).
  const local = new Set(input.nodes.filter((n) => n.local).flatMap((n) => n.addresses.map(hostPrefix)));
  for (const ip of input.kubeApiserver ?? []) {
    const p = hostPrefix(ip);
    if (!local.has(p)) out.set(p, { identity: ReservedIdentity['kube-apiserver'] });
  }
  // Pods last: a pod IP wins over anything else claiming the same /32.
  for (const p of input.pods) {
    const tep = !p.local && p.hostIP && !p.hostIP.includes(':') ? p.hostIP : undefined;
    for (const ip of p.ips) out.set(hostPrefix(ip), { identity: p.identity, ...(tep ? { tunnelEndpoint: tep } : {}) });
  }
  return out;
}

export interface IpcacheWriter {
  set(cidr: string, identity: number, tunnelEndpoint?: string): void;
  delete(cidr: string): boolean;
  entries(): { cidr: string; identity: number; tunnelEndpoint?: string }[];
}

export class IpcacheSync {
  #applied: Map<string, IpcacheValue> | undefined;

  constructor(private readonly map: IpcacheWriter) {}

  /** What the last apply wrote (prefix -> value), for the L7 proxy's identity lookups. */
  get applied(): ReadonlyMap<string, IpcacheValue> {
    return this.#applied ?? new Map();
  }

  /** Writes what differs from the last apply (the first one compares with the kernel's map). */
  apply(desired: ReadonlyMap<string, IpcacheValue>): { written: number; removed: number } {
    const before = this.#applied ?? new Map(this.map.entries().map((e) => [e.cidr, { identity: e.identity, ...(e.tunnelEndpoint ? { tunnelEndpoint: e.tunnelEndpoint } : {}) }]));
    let written = 0;
    let removed = 0;
    for (const [cidr, v] of desired) {
      const prev = before.get(cidr);
      if (prev && prev.identity === v.identity && prev.tunnelEndpoint === v.tunnelEndpoint) continue;
      this.map.set(cidr, v.identity, v.tunnelEndpoint);
      written++;
    }
    for (const cidr of before.keys()) {
      if (desired.has(cidr)) continue;
      this.map.delete(cidr);
      removed++;
    }
    this.#applied = new Map(desired);
    return { written, removed };
  }

  get size(): number {
    return this.#applied?.size ?? 0;
  }
}

const v4 = (ip: string): number => ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);

/** Longest-prefix match of an IPv4 address over ipcache prefixes, as the datapath's LPM does. */
export function ipcacheLookupV4(prefixes: ReadonlyMap<string, IpcacheValue>, ip: string): number | undefined {
  const addr = v4(ip);
  let best = -1;
  let identity: number | undefined;
  for (const [prefix, v] of prefixes) {
    if (prefix.includes(':')) continue;
    const [net, len] = prefix.split('/') as [string, string];
    const bits = Number(len);
    if (bits <= best) continue;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((addr & mask) >>> 0) !== ((v4(net) & mask) >>> 0)) continue;
    best = bits;
    identity = v.identity;
  }
  return identity;
}
