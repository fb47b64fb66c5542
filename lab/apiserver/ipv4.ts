// IPv4 arithmetic for CIDRs: allocators and the lab's address plan use these.
export function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; bits: number; size: number } {
  const [ip, b] = cidr.split('/');
  const bits = Number(b ?? 32);
  const size = 2 ** (32 - bits);
  return { base: (ipToInt(ip!) & ~(size - 1)) >>> 0, bits, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + c.size;
}

/** The n-th address of a CIDR (0 is the network address). */
export function nthAddress(cidr: string, n: number): string {
  return intToIp(parseCidr(cidr).base + n);
}
