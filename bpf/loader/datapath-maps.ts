// Typed views of the datapath's maps: the agent speaks CIDRs, endpoint records and
// policy keys; the byte layouts stay in layout.ts.
import { formatCidr, formatIp, parseCidr, parseIp } from './addr.ts';
import type { BpfMap, RawPage } from './bpf-map.ts';
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
  encodeLbKey,
  decodeLbKey,
  encodeLbValue,
  decodeLbValue,
  encodeLbBackend,
  decodeLbBackend,
  type LbKey,
  type ConntrackEntry,
  type EndpointInfo,
  type PolicyKey,
  type PolicyValue,
} from './layout.ts';

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

/** A page of decoded entries and the continue token after it (bpf-map.ts page()). */
export interface MapPage<T> {
  items: T[];
  next?: string;
}

/** Where a page starts: after the key a continue token names, then past `skip` keys. */
export interface PageCursor {
  after?: string;
  skip?: number;
  limit: number;
}

function decodePage<T>(m: BpfMap, c: PageCursor, decode: (k: Uint8Array, v: Uint8Array) => T): MapPage<T> {
  const p: RawPage = m.page(c.after, c.limit, c.skip);
  return { items: p.entries.map(([k, v]) => decode(k, v)), ...(p.next ? { next: p.next } : {}) };
}

function decodeIpcache(k: Uint8Array, v: Uint8Array): IpcacheEntry {
  const F = STRUCTS.ipcache_key.fields;
  const tep = new DataView(v.buffer, v.byteOffset).getUint32(STRUCTS.ipcache_value.fields.tunnel_endpoint[0], false);
  return {
    cidr: formatCidr(k.subarray(F.addr[0], F.addr[0] + 16), u32(k, F.prefixlen[0])),
    identity: u32(v, STRUCTS.ipcache_value.fields.identity[0]),
    ...(tep ? { tunnelEndpoint: `${tep >>> 24}.${(tep >> 16) & 255}.${(tep >> 8) & 255}.${tep & 255}` } : {}),
  };
}

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
    return [...this.map.entries()].map(([k, v]) => decodeIpcache(k, v));
  }

  page(c: PageCursor): MapPage<IpcacheEntry> {
    return decodePage(this.map, c, decodeIpcache);
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

  page(c: PageCursor): MapPage<{ ifindex: number } & ReturnType<typeof decodeEndpoint>> {
    return decodePage(this.map, c, (k, v) => ({ ifindex: u32(k, 0), ...decodeEndpoint(v, (a) => formatIp(a)) }));
  }
}

export class PolicyMap {
  constructor(readonly map: BpfMap) {}

  set(key: PolicyKey, value: PolicyValue): void {
    this.map.update(encodePolicyKey(key), encodePolicyValue(value, key));
  }

  get(key: PolicyKey): Required<PolicyValue> | undefined {
    const v = this.map.lookup(encodePolicyKey(key));
    return v ? decodePolicyValue(v) : undefined;
  }

  delete(key: PolicyKey): boolean {
    return this.map.delete(encodePolicyKey(key));
  }

  entries(): Array<{ key: Required<PolicyKey>; value: Required<PolicyValue> }> {
    return [...this.map.entries()].map(([k, v]) => ({ key: decodePolicyKey(k), value: decodePolicyValue(v) }));
  }

  page(c: PageCursor): MapPage<{ key: Required<PolicyKey>; value: Required<PolicyValue> }> {
    return decodePage(this.map, c, (k, v) => ({ key: decodePolicyKey(k), value: decodePolicyValue(v) }));
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

  /** A page of one of the two maps. */
  page(which: 'tcp' | 'any', c: PageCursor): MapPage<ConntrackEntry> {
    return decodePage(this[which], c, (k, v) => decodeConntrack(k, v, formatIp));
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

/** A Service address and port (ClusterIP, ExternalIP or node address + NodePort) and its backends. */
export interface LbFrontend {
  addr: string;
  port: number;
  /** IP protocol number: 6 or 17. */
  protocol: number;
  /** The agent's number for the Service (the same for all its frontends). */
  svcId: number;
  /** Backends new connections are spread over, in slot order. */
  backends: LbBackendAddr[];
}

export interface LbBackendAddr {
  addr: string;
  port: number;
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The Service translation maps (bpf/lib/lb.h). sync() makes them hold exactly the given
 * frontends, in an order that never lets a packet see a half-written Service: backends
 * first, then a Service's slots, then its slot 0 (count); removals the other way round.
 */
/**
 * Where a pod sent a packet that the datapath diverted to the egress L7 proxy (bpf/lib/l7.h):
 * the proxy's socket sees the pod's address and port, this map gives the original destination.
 */
export class L7OrigMap {
  constructor(readonly map: BpfMap) {}

  lookup(client: string, port: number, proto: number): { address: string; port: number } | undefined {
    const K = STRUCTS.l7_orig_key;
    const k = new Uint8Array(K.size);
    k.set(parseIp(client).addr, K.fields.addr[0]);
    new DataView(k.buffer).setUint16(K.fields.port[0], port, true);
    k[K.fields.proto[0]] = proto;
    const v = this.map.lookup(k);
    if (!v) return undefined;
    const V = STRUCTS.l7_orig_value.fields;
    return { address: formatIp(v, V.addr[0]), port: new DataView(v.buffer, v.byteOffset).getUint16(V.port[0], true) };
  }
}

export class ServiceMap {
  constructor(
    readonly svc: BpfMap,
    readonly backends: BpfMap,
    readonly conns: BpfMap,
  ) {}

  /**
   * `draining` backends stay reachable for connections already on them (terminating but still
   * serving endpoints) without taking new ones. Returns the entries written and deleted.
   */
  sync(frontends: LbFrontend[], draining: LbBackendAddr[] = []): { written: number; deleted: number } {
    let written = 0;
    let deleted = 0;
    const beKey = (b: LbBackendAddr) => `${hexOf(parseIp(b.addr).addr)}/${b.port}`;
    const ids = new Map<string, number>();
    const used = new Set<number>();
    for (const [k, v] of this.backends.entries()) {
      const id = u32(k, 0);
      const b = decodeLbBackend(v);
      ids.set(`${hexOf(b.addr)}/${b.port}`, id);
      used.add(id);
    }
    const wanted = new Map<string, LbBackendAddr>();
    for (const f of frontends) for (const b of f.backends) wanted.set(beKey(b), b);
    for (const b of draining) wanted.set(beKey(b), b);
    let next = 1;
    for (const [key, b] of wanted) {
      if (ids.has(key)) continue;
      while (used.has(next)) next++;
      ids.set(key, next);
      used.add(next);
      this.backends.update(new Uint8Array(new Uint32Array([next]).buffer), encodeLbBackend(parseIp(b.addr).addr, b.port));
      written++;
    }

    const current = new Map<string, string>();
    for (const [k, v] of this.svc.entries()) current.set(hexOf(k), hexOf(v));
    const desired = new Set<string>();
    const put = (k: Uint8Array, v: Uint8Array) => {
      const hk = hexOf(k);
      desired.add(hk);
      if (current.get(hk) === hexOf(v)) return;
      this.svc.update(k, v);
      written++;
    };
    for (const f of frontends) {
      const addr = parseIp(f.addr).addr;
      f.backends.forEach((b, i) => put(encodeLbKey({ addr, port: f.port, protocol: f.protocol, slot: i + 1 }), encodeLbValue({ backendId: ids.get(beKey(b))! })));
      put(encodeLbKey({ addr, port: f.port, protocol: f.protocol, slot: 0 }), encodeLbValue({ count: f.backends.length, svcId: f.svcId }));
    }
    const stale = [...current.keys()].filter((k) => !desired.has(k)).map((k) => Uint8Array.from(Buffer.from(k, 'hex')));
    stale.sort((a, b) => decodeLbKey(a).slot - decodeLbKey(b).slot);
    for (const k of stale) deleted += this.svc.delete(k) ? 1 : 0;

    for (const [key, id] of ids) {
      if (wanted.has(key)) continue;
      deleted += this.backends.delete(new Uint8Array(new Uint32Array([id]).buffer)) ? 1 : 0;
    }
    return { written, deleted };
  }

  /** What the maps hold, as frontends (backends in slot order). */
  frontends(): LbFrontend[] {
    const backends = new Map<number, LbBackendAddr>();
    for (const [k, v] of this.backends.entries()) {
      const b = decodeLbBackend(v);
      backends.set(u32(k, 0), { addr: formatIp(b.addr), port: b.port });
    }
    const slots = new Map<string, { key: LbKey; value: ReturnType<typeof decodeLbValue> }[]>();
    for (const [k, v] of this.svc.entries()) {
      const key = decodeLbKey(k);
      const id = `${hexOf(key.addr)}/${key.port}/${key.protocol}`;
      slots.set(id, [...(slots.get(id) ?? []), { key, value: decodeLbValue(v) }]);
    }
    const out: LbFrontend[] = [];
    for (const list of slots.values()) {
      const head = list.find((s) => s.key.slot === 0);
      if (!head) continue;
      const bySlot = new Map(list.map((s) => [s.key.slot, s.value.backendId]));
      const bs: LbBackendAddr[] = [];
      for (let i = 1; i <= head.value.count; i++) {
        const b = backends.get(bySlot.get(i) ?? 0);
        if (b) bs.push(b);
      }
      out.push({ addr: formatIp(head.key.addr), port: head.key.port, protocol: head.key.protocol, svcId: head.value.svcId, backends: bs });
    }
    return out;
  }

  /** Forgets which backend each connection was given (tests; the LRU ages them out). */
  flushConnections(): number {
    return this.conns.clear();
  }
}
