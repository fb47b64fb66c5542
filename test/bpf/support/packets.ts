// Crafted packets for BPF_PROG_TEST_RUN: Ethernet, IPv4 (options, fragments), IPv6
// (extension headers, fragments), TCP, UDP, SCTP, ICMP, ICMPv6. Checksums are left zero:
// the datapath never checks them.
import { parseIp } from '../../../bpf/loader/addr.ts';

export const ETH_IP = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_ARP = 0x0806;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const be16 = (n: number) => new Uint8Array([(n >> 8) & 255, n & 255]);

export function eth(type: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(14);
  h.set([2, 0, 0, 0, 0, 2], 0);
  h.set([2, 0, 0, 0, 0, 1], 6);
  h.set(be16(type), 12);
  return concat(h, payload);
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number;
  options?: Uint8Array; // multiple of 4 bytes
  id?: number;
  /** Fragment offset in 8-byte units and the more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  ttl?: number;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const hlen = 20 + opt.length;
  const h = new Uint8Array(hlen);
  const v = new DataView(h.buffer);
  h[0] = 0x40 | (hlen / 4);
  v.setUint16(2, hlen + payload.length);
  v.setUint16(4, o.id ?? 0x1234);
  v.setUint16(6, ((o.moreFragments ? 1 : 0) << 13) | (o.fragOffset ?? 0));
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  h.set(parseIp(o.src).addr.subarray(12), 12);
  h.set(parseIp(o.dst).addr.subarray(12), 16);
  h.set(opt, 20);
  return concat(h, payload);
}

export interface Ipv6Ext {
  /** 0 hop-by-hop, 43 routing, 60 destination options, 51 AH, 44 fragment. */
  type: number;
  /** Fragment header fields (type 44). */
  fragOffset?: number;
  moreFragments?: boolean;
  id?: number;
  /** Extra 8-byte units (0, 43, 60) or 4-byte units (51) beyond the minimum. */
  extraUnits?: number;
}

export function ipv6(o: { src: string; dst: string; proto: number; ext?: Ipv6Ext[]; hopLimit?: number }, payload: Uint8Array): Uint8Array {
  const exts = o.ext ?? [];
  const chain: Uint8Array[] = [];
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? exts[i + 1]!.type : o.proto;
    if (e.type === 44) {
      const f = new Uint8Array(8);
      f[0] = next;
      new DataView(f.buffer).setUint16(2, ((e.fragOffset ?? 0) << 3) | (e.moreFragments ? 1 : 0));
      new DataView(f.buffer).setUint32(4, e.id ?? 0xabcd);
      chain.push(f);
    } else if (e.type === 51) {
      const units = 3 + (e.extraUnits ?? 0); // (len + 2) * 4 bytes, 12 minimum
      const f = new Uint8Array(units * 4);
      f[0] = next;
      f[1] = units - 2;
      chain.push(f);
    } else {
      const units = 1 + (e.extraUnits ?? 0);
      const f = new Uint8Array(units * 8);
      f[0] = next;
      f[1] = units - 1;
      chain.push(f);
    }
  });
  const body = concat(...chain, payload);
  const h = new Uint8Array(40);
  const v = new DataView(h.buffer);
  h[0] = 0x60;
  v.setUint16(4, body.length);
  h[6] = exts[0]?.type ?? o.proto;
  h[7] = o.hopLimit ?? 64;
  h.set(parseIp(o.src).addr, 8);
  h.set(parseIp(o.dst).addr, 24);
  return concat(h, body);
}

export function tcp(o: { sport: number; dport: number; flags: number; options?: Uint8Array; payload?: Uint8Array }): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const h = new Uint8Array(20 + opt.length);
  const v = new DataView(h.buffer);
  v.setUint16(0, o.sport);
  v.setUint16(2, o.dport);
  v.setUint32(4, 1000);
  h[12] = (h.length / 4) << 4;
  h[13] = o.flags;
  v.setUint16(14, 65535);
  h.set(opt, 20);
  return concat(h, o.payload ?? new Uint8Array(0));
}

export function udp(o: { sport: number; dport: number; payload?: Uint8Array }): Uint8Array {
  const p = o.payload ?? new Uint8Array(0);
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, o.sport);
  v.setUint16(2, o.dport);
  v.setUint16(4, 8 + p.length);
  return concat(h, p);
}

export function sctp(o: { sport: number; dport: number }): Uint8Array {
  const h = new Uint8Array(12);
  new DataView(h.buffer).setUint16(0, o.sport);
  new DataView(h.buffer).setUint16(2, o.dport);
  return h;
}

/** ICMP or ICMPv6: type, code, checksum, then 4 bytes (id/seq for echo) and data. */
export function icmp(o: { type: number; code?: number; id?: number; seq?: number; data?: Uint8Array }): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  h[0] = o.type;
  h[1] = o.code ?? 0;
  v.setUint16(4, o.id ?? 0);
  v.setUint16(6, o.seq ?? 0);
  return concat(h, o.data ?? new Uint8Array(0));
}

/** Convenience: a whole IPv4 or IPv6 TCP/UDP packet. */
export function tcp4(src: string, dst: string, sport: number, dport: number, flags: number, payload?: Uint8Array): Uint8Array {
  return eth(ETH_IP, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, flags, ...(payload ? { payload } : {}) })));
}

export function udp4(src: string, dst: string, sport: number, dport: number, payload?: Uint8Array): Uint8Array {
  return eth(ETH_IP, ipv4({ src, dst, proto: 17 }, udp({ sport, dport, ...(payload ? { payload } : {}) })));
}

export function tcp6(src: string, dst: string, sport: number, dport: number, flags: number, ext?: Ipv6Ext[]): Uint8Array {
  return eth(ETH_IPV6, ipv6({ src, dst, proto: 6, ...(ext ? { ext } : {}) }, tcp({ sport, dport, flags })));
}

export function icmp4(src: string, dst: string, type: number, o: { code?: number; id?: number; data?: Uint8Array } = {}): Uint8Array {
  return eth(ETH_IP, ipv4({ src, dst, proto: 1 }, icmp({ type, ...o })));
}

/** An Ethernet/IPv4 ARP request (or reply, op 2) claiming `sender`, asking for `target`. */
export function arp(sender: string, target: string, op = 1): Uint8Array {
  const a = new Uint8Array(28);
  const v = new DataView(a.buffer);
  v.setUint16(0, 1);
  v.setUint16(2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  v.setUint16(6, op);
  a.set([2, 0, 0, 0, 0, 1], 8);
  a.set(parseIp(sender).addr.subarray(12), 14);
  a.set(parseIp(target).addr.subarray(12), 24);
  return eth(ETH_ARP, a);
}
