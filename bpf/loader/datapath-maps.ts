// Typed views of the datapath's maps: the agent speaks CIDRs, endpoint records and
// policy keys; the byte layouts stay in layout.ts.
import { formatCidr, formatIp, parseCidr, parseIp } from './addr.ts';
import type { BpfMap } from './bpf-map.ts';
import {
  STRUCTS,
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

export class ConntrackMap {
  constructor(readonly map: BpfMap) {}

  entries(): ConntrackEntry[] {
    return [...this.map.entries()].map(([k, v]) => decodeConntrack(k, v, formatIp));
  }

  count(): number {
    return this.map.count();
  }

  /** Forgets every connection: the next packet of each is judged by policy again. */
  flush(): number {
    return this.map.clear();
  }
}
