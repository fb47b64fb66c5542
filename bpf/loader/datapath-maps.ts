// Typed views of the datapath's maps: the agent speaks CIDRs, endpoint records and
// policy keys; the byte layouts stay in layout.ts.
import { formatCidr, formatIp, parseCidr, parseIp } from './addr.ts';
import type { BpfMap } from './bpf-map.ts';
import {
  STRUCTS,
  conntrackLifetimeNs,
  decodeConntrack,
  decodeEndpoint,
  decodePolicyKey,
  decodePolicyValue,
  encodeEndpoint,
  encodeIpcacheKey,
  encodeIpcacheValue,
  encodePolicyKey,
  encodePolicyValue,
  type ConntrackEntry,
  type EndpointInfo,
  type PolicyKey,
  type PolicyValue,
} from './layout.ts';

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

export interface IpcacheEntry {
  cidr: string;
  identity: number;
  tunnelEndpoint?: string;
}

export class IpcacheMap {
  constructor(readonly map: BpfMap) {}

  /** Maps an IP or CIDR ("10.0.1.5", "10.0.0.0/8", "fd00::/64") to a security identity. */
  set(cidr: string, identity: number, tunnelEndpoint?: string): void {
    const c = parseCidr(cidr);
    const tep = tunnelEndpoint ? new DataView(parseIp(tunnelEndpoint).addr.buffer).getUint32(12, false) : 0;
    this.map.update(encodeIpcacheKey(c.addr, c.prefixlen), encodeIpcacheValue(identity, tep));
  }

  /** The identity stored for exactly this prefix (not a longest-prefix lookup). */
  get(cidr: string): number | undefined {
    const c = parseCidr(cidr);
    const v = this.map.lookup(encodeIpcacheKey(c.addr, c.prefixlen));
    return v ? u32(v, STRUCTS.ipcache_value.fields.identity[0]) : undefined;
  }

  delete(cidr: string): boolean {
    const c = parseCidr(cidr);
    return this.map.delete(encodeIpcacheKey(c.addr, c.prefixlen));
  }

  entries(): IpcacheEntry[] {
    const out: IpcacheEntry[] = [];
    for (const [k, v] of this.map.entries()) {
      const F = STRUCTS.ipcache_key.fields;
      const tep = new DataView(v.buffer, v.byteOffset).getUint32(STRUCTS.ipcache_value.fields.tunnel_endpoint[0], false);
      out.push({
        cidr: formatCidr(k.subarray(F.addr[0], F.addr[0] + 16), u32(k, F.prefixlen[0])),
        identity: u32(v, STRUCTS.ipcache_value.fields.identity[0]),
        ...(tep ? { tunnelEndpoint: `${tep >>> 24}.${(tep >> 16) & 255}.${(tep >> 8) & 255}.${tep & 255}` } : {}),
      });
    }
    return out;
  }
}

const ifKey = (ifindex: number) => new Uint8Array(new Uint32Array([ifindex]).buffer);

export class EndpointMap {
  constructor(readonly map: BpfMap) {}

  /** Manages the pod behind host-side interface `ifindex` (see attach()). */
  set(ifindex: number, info: EndpointInfo): void {
    this.map.update(ifKey(ifindex), encodeEndpoint(info, (s) => parseIp(s).addr));
  }

  get(ifindex: number): ReturnType<typeof decodeEndpoint> | undefined {
    const v = this.map.lookup(ifKey(ifindex));
    return v ? decodeEndpoint(v, (a) => formatIp(a)) : undefined;
  }

  delete(ifindex: number): boolean {
    return this.map.delete(ifKey(ifindex));
  }

  entries(): Array<{ ifindex: number } & ReturnType<typeof decodeEndpoint>> {
    return [...this.map.entries()].map(([k, v]) => ({ ifindex: u32(k, 0), ...decodeEndpoint(v, (a) => formatIp(a)) }));
  }
}

export class PolicyMap {
  constructor(readonly map: BpfMap) {}

  set(key: PolicyKey, value: PolicyValue): void {
    this.map.update(encodePolicyKey(key), encodePolicyValue(value));
  }

  get(key: PolicyKey): Required<PolicyValue> | undefined {
    const v = this.map.lookup(encodePolicyKey(key));
    return v ? decodePolicyValue(v) : undefined;
  }

  delete(key: PolicyKey): boolean {
    return this.map.delete(encodePolicyKey(key));
  }

  entries(): Array<{ key: PolicyKey; value: Required<PolicyValue> }> {
    return [...this.map.entries()].map(([k, v]) => ({ key: decodePolicyKey(k), value: decodePolicyValue(v) }));
  }

  /** Removes every entry of one endpoint (or all); returns how many. */
  clear(endpointId?: number): number {
    let n = 0;
    for (const k of [...this.map.keys()]) {
      if (endpointId === undefined || decodePolicyKey(k).endpointId === endpointId) n += this.map.delete(k) ? 1 : 0;
    }
    return n;
  }
}

/** The two conntrack maps (TCP, everything else) as one. */
export class ConntrackMap {
  #gcCursor: { tcp?: Uint8Array; any?: Uint8Array } = {};

  constructor(
    readonly tcp: BpfMap,
    readonly any: BpfMap,
  ) {}

  entries(): ConntrackEntry[] {
    return [...this.tcp.entries(), ...this.any.entries()].map(([k, v]) => decodeConntrack(k, v, formatIp));
  }

  count(): number {
    return this.tcp.count() + this.any.count();
  }

  /** Entries and capacity per map: how close each is to evicting live connections. */
  pressure(): { tcp: { entries: number; max: number }; any: { entries: number; max: number } } {
    return {
      tcp: { entries: this.tcp.count(), max: this.tcp.info.maxEntries },
      any: { entries: this.any.count(), max: this.any.info.maxEntries },
    };
  }

  /** Forgets every connection: the next packet of each is judged by policy again. */
  flush(): number {
    return this.tcp.clear() + this.any.clear();
  }

  /**
   * Forgets a deleted endpoint's connections: those its hooks created, and every other
   * endpoint's connections with its addresses, so a pod that reuses the IP inherits
   * neither flows nor the identity they were judged with.
   */
  flushEndpoint(endpointId: number, addrs: string[] = []): number {
    const mapped = addrs.map((a) => Buffer.from(parseIp(a).addr).toString('hex'));
    const K = STRUCTS.ct_key.fields;
    let n = 0;
    for (const m of [this.tcp, this.any]) {
      for (const k of [...m.keys()]) {
        const ep = new DataView(k.buffer, k.byteOffset, k.byteLength).getUint32(K.endpoint_id[0], true);
        const s = Buffer.from(k.subarray(K.saddr[0], K.saddr[0] + 16)).toString('hex');
        const d = Buffer.from(k.subarray(K.daddr[0], K.daddr[0] + 16)).toString('hex');
        if (ep === endpointId || mapped.includes(s) || mapped.includes(d)) n += m.delete(k) ? 1 : 0;
      }
    }
    return n;
  }

  /**
   * One bounded GC pass: visits at most `budget` entries of each map, continuing where the
   * last pass stopped, and deletes those past their lifetime (conntrackLifetimeNs from
   * last_seen_ns, as the datapath judges them). `nowNs` is CLOCK_MONOTONIC, the clock of
   * bpf_ktime_get_coarse_ns (process.hrtime.bigint() on Linux). Returns what it did.
   */
  gc(nowNs: bigint, budget = 4096): { visited: number; deleted: number } {
    let visited = 0;
    let deleted = 0;
    for (const which of ['tcp', 'any'] as const) {
      const m = this[which];
      let key = this.#gcCursor[which];
      let i = 0;
      for (; i < budget; i++) {
        const next = m.nextKey(key);
        if (!next) {
          key = undefined;
          break;
        }
        key = next;
        const v = m.lookup(next);
        if (!v) continue;
        visited++;
        const e = decodeConntrack(next, v, formatIp);
        if (nowNs - e.lastSeenNs > conntrackLifetimeNs(e.protocol, e.tcpState)) deleted += m.delete(next) ? 1 : 0;
      }
      // A deleted cursor key makes the kernel restart from the first key: harmless.
      if (key) this.#gcCursor[which] = key;
      else delete this.#gcCursor[which];
    }
    return { visited, deleted };
  }
}
