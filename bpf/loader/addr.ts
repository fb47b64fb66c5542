// IP addresses as the datapath stores them: 16 bytes, IPv4 as ::ffff:a.b.c.d. Pure.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  /** 16 bytes, network order; IPv4 v4-mapped. */
  addr: Uint8Array;
  /** Prefix length in the 128-bit space (IPv4 /n is 96 + n). */
  prefixlen: number;
  family: 4 | 6;
}

export function parseIp(text: string): { addr: Uint8Array; family: 4 | 6 } {
  const out = new Uint8Array(16);
  if (isIPv4(text)) {
    out[10] = 0xff;
    out[11] = 0xff;
    text.split('.').forEach((p, i) => (out[12 + i] = Number(p)));
    return { addr: out, family: 4 };
  }
  if (!isIPv6(text)) throw new Error(`parse IP address: ${JSON.stringify(text)} is not an IPv4 or IPv6 address`);
  // Embedded dotted quad (::ffff:1.2.3.4) becomes two hex groups first.
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (m) {
    const b = m[2]!.split('.').map(Number);
    text = `${m[1]}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return { addr: out, family: 6 };
}

export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const { addr, family } = parseIp(ip);
  const max = family === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) {
    throw new Error(`parse CIDR: bad prefix length in ${JSON.stringify(text)} (0-${max})`);
  }
  const prefixlen = family === 4 ? 96 + len : len;
  // Host bits are cleared so equal prefixes are equal keys.
  for (let bit = prefixlen; bit < 128; bit++) addr[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { addr, prefixlen, family };
}

export function isV4Mapped(a: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (a[off + i] !== 0) return false;
  return a[off + 10] === 0xff && a[off + 11] === 0xff;
}

/** Text form of a 16-byte address at `off` (IPv4 for v4-mapped). */
export function formatIp(a: Uint8Array, off = 0): string {
  if (isV4Mapped(a, off)) return `${a[off + 12]}.${a[off + 13]}.${a[off + 14]}.${a[off + 15]}`;
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((a[off + i * 2]! << 8) | a[off + i * 2 + 1]!);
  // Longest run of zero groups (length >= 2) becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function formatCidr(addr: Uint8Array, prefixlen: number): string {
  if (isV4Mapped(addr) && prefixlen >= 96) return `${formatIp(addr)}/${prefixlen - 96}`;
  return `${formatIp(addr)}/${prefixlen}`;
}
