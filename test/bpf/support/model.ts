// A TypeScript reference model of the datapath's decision, written from the spec in
// bpf/README.md rather than from the C: same inputs (packet, hook, maps), same verdict
// and drop reason. The fuzz test holds the two against each other.
import { EndpointFlags, lbHash } from '../../../bpf/loader/layout.ts';
import { lookupPolicy } from '../../../agent/policy/lookup.ts';

export interface ModelEndpoint {
  endpointId: number;
  identity: number;
  flags: number;
  ipv4?: Uint8Array; // 4 bytes
  ipv6?: Uint8Array; // 16 bytes
}

export interface ModelPolicyEntry {
  endpointId: number;
  remoteIdentity: number;
  /** A port block: 2^(16 - portBits) ports from `port`; portBits 0 = every port. */
  port: number;
  portBits: number;
  protocol: number;
  direction: 1 | 2;
  deny: boolean;
}

export interface Decision {
  verdict: 'forwarded' | 'dropped';
  reason: number;
}

interface Parsed {
  family: 4 | 6;
  saddr: string; // 16-byte hex
  daddr: string;
  proto: number;
  sport: number;
  dport: number;
  policyPort: number;
  tcpFlags: number;
  noPolicy: boolean;
  arp?: boolean;
  hopLimit?: number;
  inner?: { saddr: string; daddr: string; sport: number; dport: number; proto: number };
  /** A later fragment (ports from its first fragment). */
  fragment?: boolean;
}

export interface ModelService {
  addr: Uint8Array; // 16 bytes
  port: number;
  protocol: number;
  backends: { addr: Uint8Array; port: number }[];
}

const INGRESS = 1;
const EGRESS = 2;
const ECHO_REQ = new Set([8, 13, 128]);
const ECHO_REP = new Set([0, 14, 129]);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const v4mapped = (b: Uint8Array) => `00000000000000000000ffff${hex(b)}`;

export class DatapathModel {
  endpoints = new Map<number, ModelEndpoint>();
  ipcache: Array<{ addr: Uint8Array; prefixlen: number; identity: number }> = [];
  policy = new Map<string, ModelPolicyEntry>();
  private ct = new Map<string, { seenFwd: number; seenRev: number; closed: boolean }>();
  // Per endpoint, 32 direct-mapped slots (id mod 32), each holding one datagram's full key.
  private frags = new Map<string, { key: string; proto: number; sport: number; dport: number; policyPort: number }>();
  private epId = 0;
  /** Service frontends by `addr/port/proto`; the backend each connection was given. */
  private services = new Map<string, { addr: string; port: number }[]>();
  private lbConn = new Map<string, { addr: string; port: number }>();

  setService(s: ModelService): void {
    this.services.set(`${hex(s.addr)}/${s.port}/${s.protocol}`, s.backends.map((b) => ({ addr: hex(b.addr), port: b.port })));
  }

  /** Forgets every connection (the model has no clock: callers flush before lifetimes matter). */
  flushConntrack(): void {
    this.ct.clear();
  }

  setPolicy(e: ModelPolicyEntry): void {
    this.policy.set(`${e.endpointId}/${e.remoteIdentity}/${e.port}/${e.portBits}/${e.protocol}/${e.direction}`, e);
  }

  /** The longest entry of one identity holding (protocol, port): an exact protocol beats protocol 0, more port bits fewer. */
  private longest(endpointId: number, dir: number, remote: number, proto: number, port: number): ModelPolicyEntry | undefined {
    let best: ModelPolicyEntry | undefined;
    const len = (e: ModelPolicyEntry) => (e.protocol === 0 ? -1 : e.portBits);
    for (const e of this.policy.values()) {
      if (e.endpointId !== endpointId || e.direction !== dir || e.remoteIdentity !== remote) continue;
      if (e.protocol !== 0 && e.protocol !== proto) continue;
      if (e.portBits > 0 && port >> (16 - e.portBits) !== e.port >> (16 - e.portBits)) continue;
      if (!best || len(e) > len(best)) best = e;
    }
    return best;
  }

  private identityOf(addrHex: string): number {
    const a = Buffer.from(addrHex, 'hex');
    let best = -1;
    let id = 2;
    for (const e of this.ipcache) {
      if (e.prefixlen <= best) continue;
      let match = true;
      for (let bit = 0; bit < e.prefixlen && match; bit++) {
        const m = 0x80 >> (bit & 7);
        if ((a[bit >> 3]! & m) !== (e.addr[bit >> 3]! & m)) match = false;
      }
      if (match) {
        best = e.prefixlen;
        id = e.identity;
      }
    }
    return id;
  }

  /** Mirrors the parser: a drop reason, or the parsed fields. */
  private parse(p: Uint8Array): Parsed | number {
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const len = p.length;
    if (len < 14) return 134;
    const type = v.getUint16(12);
    if (type === 0x0806) {
      // Ethernet/IPv4 ARP only; the sender address is held to the pod's by the source check.
      if (len < 32) return 134;
      if (v.getUint16(14) !== 1 || v.getUint16(16) !== 0x0800 || p[18] !== 6 || p[19] !== 4) return 134;
      return { family: 4, saddr: v4mapped(p.subarray(28, 32)), noPolicy: true, arp: true } as Parsed;
    }
    if (type === 0x0800) {
      if (len < 34) return 134;
      const ver = p[14]! >> 4;
      const ihl = p[14]! & 15;
      if (ver !== 4 || ihl < 5) return 134;
      const hlen = ihl * 4;
      const tot = v.getUint16(16);
      if ((tot !== 0 && tot < hlen) || 14 + hlen > len) return 134;
      const base: Parsed = {
        family: 4,
        saddr: v4mapped(p.subarray(26, 30)),
        daddr: v4mapped(p.subarray(30, 34)),
        proto: p[23]!,
        sport: 0,
        dport: 0,
        policyPort: 0,
        tcpFlags: 0,
        noPolicy: false,
      };
      const frag = v.getUint16(20);
      const id = v.getUint16(18);
      if (frag & 0x1fff) return this.recall(base, id, base.proto);
      const r = this.l4(p, v, base, 14 + hlen);
      if (typeof r !== 'number' && frag & 0x2000) this.remember(r, id, base.proto);
      return r;
    }
    if (type === 0x86dd) {
      if (len < 54) return 134;
      if (p[14]! >> 4 !== 6) return 134;
      const base: Parsed = {
        family: 6,
        saddr: hex(p.subarray(22, 38)),
        daddr: hex(p.subarray(38, 54)),
        proto: 0,
        sport: 0,
        dport: 0,
        policyPort: 0,
        tcpFlags: 0,
        noPolicy: false,
        hopLimit: p[21]!,
      };
      const mapped = (a: string) => a.startsWith('00000000000000000000ffff');
      if (mapped(base.saddr)) return 132;
      if (mapped(base.daddr)) return 151;
      let next = p[20]!;
      let off = 54;
      let firstFrag = false;
      let fragId = 0;
      let fragNext = 0;
      for (let i = 0; ; i++) {
        if (![0, 43, 60, 135, 51, 44].includes(next)) break;
        if (i === 8) return 156;
        const type = next;
        if (type === 44) {
          if (off + 8 > len) return 156;
          const fo = v.getUint16(off + 2);
          fragId = v.getUint32(off + 4);
          next = p[off]!;
          off += 8;
          // Every fragment is keyed by the Fragment header's next header, whatever follows it.
          if (fo & 0xfff8) return this.recall(base, fragId, next);
          firstFrag = (fo & 1) === 1;
          fragNext = next;
        } else {
          if (off + 2 > len) return 156;
          next = p[off]!;
          // AH counts 4-byte units minus 2; the others 8-byte units minus 1.
          off += type === 51 ? (p[off + 1]! + 2) * 4 : (p[off + 1]! + 1) * 8;
        }
      }
      base.proto = next;
      const r = this.l4(p, v, base, off);
      if (typeof r !== 'number' && firstFrag) this.remember(r, fragId, fragNext);
      return r;
    }
    return 139;
  }

  private recall(base: Parsed, id: number, keyProto: number): Parsed | number {
    const f = this.frags.get(`${this.epId}/${id % 32}`);
    if (!f || f.key !== `${base.saddr}/${base.daddr}/${id}/${keyProto}`) return 157;
    return { ...base, proto: f.proto, sport: f.sport, dport: f.dport, policyPort: f.policyPort, fragment: true };
  }

  private remember(p: Parsed, id: number, keyProto: number): void {
    this.frags.set(`${this.epId}/${id % 32}`, { key: `${p.saddr}/${p.daddr}/${id}/${keyProto}`, proto: p.proto, sport: p.sport, dport: p.dport, policyPort: p.policyPort });
  }

  private l4(p: Uint8Array, v: DataView, b: Parsed, off: number): Parsed | number {
    const len = p.length;
    switch (b.proto) {
      case 6: {
        if (off + 20 > len) return 135;
        const hl = (p[off + 12]! >> 4) * 4;
        if (hl < 20 || off + hl > len) return 135;
        return { ...b, sport: v.getUint16(off), dport: v.getUint16(off + 2), policyPort: v.getUint16(off + 2), tcpFlags: p[off + 13]! };
      }
      case 17:
      case 132: {
        if (off + (b.proto === 17 ? 8 : 12) > len) return 135;
        return { ...b, sport: v.getUint16(off), dport: v.getUint16(off + 2), policyPort: v.getUint16(off + 2) };
      }
      case 1:
      case 58: {
        if ((b.proto === 1) !== (b.family === 4)) return b;
        if (off + 8 > len) return 135;
        const t = p[off]!;
        const r: Parsed = { ...b, policyPort: t };
        if (b.family === 4) {
          const known = t === 0 || (t >= 3 && t <= 5) || (t >= 8 && t <= 14);
          if (!known) return 144;
          if ([3, 4, 5, 11, 12].includes(t)) this.inner(p, v, r, off + 8);
        } else {
          if ((t >= 130 && t <= 137) || t === 143) {
            // Really ND (hop limit 255, to link-local or ff02::/16) or MLD (hop limit 1, to
            // multicast), of at least the type's length and at most 1280 bytes.
            const icmpLen = len - off;
            const d0 = parseInt(b.daddr.slice(0, 2), 16);
            const d1 = parseInt(b.daddr.slice(2, 4), 16);
            const nd = t >= 133 && t <= 137;
            const dstOk = nd ? (d0 === 0xfe && (d1 & 0xc0) === 0x80) || (d0 === 0xff && (d1 & 0x0f) === 2) : d0 === 0xff;
            const min = nd ? (t === 133 ? 8 : t === 134 ? 16 : t === 137 ? 40 : 24) : t === 143 ? 8 : 24;
            if (b.hopLimit !== (nd ? 255 : 1) || !dstOk || icmpLen < min || icmpLen > 1280) return 176;
            return { ...r, noPolicy: true };
          }
          if (t >= 1 && t <= 4) this.inner(p, v, r, off + 8);
        }
        if (ECHO_REQ.has(t)) r.sport = v.getUint16(off + 4);
        else if (ECHO_REP.has(t)) r.dport = v.getUint16(off + 4);
        return r;
      }
    }
    return b;
  }

  private inner(p: Uint8Array, v: DataView, r: Parsed, off: number): void {
    const len = p.length;
    let saddr: string;
    let daddr: string;
    let proto: number;
    let l4: number;
    if (r.family === 4) {
      if (off + 20 > len || p[off]! >> 4 !== 4 || (p[off]! & 15) < 5) return;
      saddr = v4mapped(p.subarray(off + 12, off + 16));
      daddr = v4mapped(p.subarray(off + 16, off + 20));
      proto = p[off + 9]!;
      l4 = off + (p[off]! & 15) * 4;
    } else {
      if (off + 40 > len || p[off]! >> 4 !== 6) return;
      saddr = hex(p.subarray(off + 8, off + 24));
      daddr = hex(p.subarray(off + 24, off + 40));
      proto = p[off + 6]!;
      l4 = off + 40;
    }
    let sport: number;
    let dport: number;
    if (proto === 6 || proto === 17 || proto === 132) {
      if (l4 + 4 > len) return;
      sport = v.getUint16(l4);
      dport = v.getUint16(l4 + 2);
    } else if (proto === 1 || proto === 58) {
      if (l4 + 8 > len) return;
      const t = p[l4]!;
      if (ECHO_REQ.has(t)) [sport, dport] = [v.getUint16(l4 + 4), 0];
      else if (ECHO_REP.has(t)) [sport, dport] = [0, v.getUint16(l4 + 4)];
      else return;
    } else return;
    r.inner = { saddr, daddr, sport, dport, proto };
  }

  private static state(fwd: number, rev: number): 'closed' | 'open' {
    if ((fwd | rev) & 4) return 'closed';
    if (fwd & 1 && rev & 1) return 'closed';
    return 'open';
  }

  /** The verdict for `packet` on hook `dir` of interface `ifindex`; updates model state. */
  decide(packet: Uint8Array, dir: 1 | 2, ifindex: number): Decision {
    const ep = this.endpoints.get(ifindex);
    if (!ep) return { verdict: 'forwarded', reason: 0 };
    const drop = (reason: number): Decision => ({ verdict: 'dropped', reason });
    const ok: Decision = { verdict: 'forwarded', reason: 0 };
    this.epId = ep.endpointId;
    const p = this.parse(packet);
    if (typeof p === 'number') return drop(p);
    if (ep.flags & EndpointFlags.NOT_READY) return drop(203);
    if (dir === EGRESS && ep.flags & EndpointFlags.CHECK_SOURCE) {
      // Fail closed: no address of the packet's family means nothing of that family leaves.
      const own = p.family === 4 ? (ep.ipv4 && ep.ipv4.some((x) => x) ? v4mapped(ep.ipv4) : undefined) : ep.ipv6 && ep.ipv6.some((x) => x) ? hex(ep.ipv6) : undefined;
      const probe = p.arp && p.saddr === v4mapped(new Uint8Array(4));
      const linkLocal = p.family === 6 && p.noPolicy && (/^fe[89ab]/.test(p.saddr) || /^0{32}$/.test(p.saddr));
      if (!(own !== undefined && own === p.saddr) && !probe && !linkLocal) return drop(132);
    }
    if (p.noPolicy) return ok;
    // Service translation: leaving the pod for a Service address and port, TCP or UDP, the
    // packet goes on as the backend's (the one this connection was given, else by hash).
    if (dir === EGRESS && (p.proto === 6 || p.proto === 17)) {
      const backends = this.services.get(`${p.daddr}/${p.dport}/${p.proto}`);
      if (backends) {
        const connKey = `${ep.endpointId}/${p.saddr}/${p.daddr}/${p.sport}/${p.dport}/${p.proto}`;
        const live = (b: { addr: string; port: number }) => [...this.services.values()].some((l) => l.some((x) => x.addr === b.addr && x.port === b.port));
        let be = this.lbConn.get(connKey);
        if (!be || !live(be)) {
          if (backends.length === 0) return drop(158);
          be = backends[lbHash(Buffer.from(p.saddr, 'hex'), p.sport, p.proto) % backends.length]!;
          this.lbConn.set(connKey, be);
        }
        p.daddr = be.addr;
        p.dport = be.port;
        p.policyPort = be.port;
      }
    }
    const other = dir === INGRESS ? EGRESS : INGRESS;
    // Entries belong to the endpoint whose hook created them: a reply is looked up on the same endpoint.
    const key = (s: string, d: string, sp: number, dp: number, pr: number, di: number) => `${ep.endpointId}/${s}/${d}/${sp}/${dp}/${pr}/${di}`;
    const fwdKey = key(p.saddr, p.daddr, p.sport, p.dport, p.proto, dir);
    let isReply = false;
    let entryKey = fwdKey;
    let e = this.ct.get(fwdKey);
    if (!e) {
      entryKey = key(p.daddr, p.saddr, p.dport, p.sport, p.proto, other);
      e = this.ct.get(entryKey);
      isReply = e !== undefined;
    }
    if (e && !isReply && e.closed && (p.tcpFlags & 0x12) === 0x02) {
      this.ct.delete(entryKey);
      e = undefined;
    }
    if (e) {
      if (p.proto === 6) {
        const bits = p.tcpFlags & 7;
        if (isReply) e.seenRev |= bits;
        else e.seenFwd |= bits;
        e.closed = DatapathModel.state(e.seenFwd, e.seenRev) === 'closed';
      }
      return ok;
    }
    const remote = this.identityOf(dir === EGRESS ? p.daddr : p.saddr);
    if (p.inner) {
      const i = p.inner;
      if (this.ct.has(key(i.saddr, i.daddr, i.sport, i.dport, i.proto, other)) || this.ct.has(key(i.daddr, i.saddr, i.dport, i.sport, i.proto, dir))) {
        return ok;
      }
    }
    if (ep.flags & (dir === INGRESS ? EndpointFlags.ENFORCE_INGRESS : EndpointFlags.ENFORCE_EGRESS)) {
      // The agent's copy of policy_check (agent/policy/lookup.ts) over the LPM answers, held here against the kernel.
      const find = (id: number, proto: number, port: number) => {
        const e = this.longest(ep.endpointId, dir, id, proto, port);
        return e === undefined ? undefined : { endpointId: ep.endpointId, direction: dir === INGRESS ? 'ingress' as const : 'egress' as const, remoteIdentity: id, protocol: e.protocol, port: e.port, portBits: e.portBits, deny: e.deny, policies: [] };
      };
      const r = lookupPolicy(find, true, remote, p.proto, p.policyPort);
      if (!r.allowed) return drop(r.reason === 'deny-entry' ? 181 : 133);
    }
    const seen = p.proto === 6 ? p.tcpFlags & 7 : 0;
    this.ct.set(fwdKey, { seenFwd: seen, seenRev: 0, closed: DatapathModel.state(seen, 0) === 'closed' });
    return ok;
  }
}
