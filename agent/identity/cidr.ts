// CIDR prefixes for IPv4 and IPv6 as (family, address, length), with host bits cleared, so two
// spellings of one prefix become one ipcache key and containment is a mask comparison.

export interface Prefix {
  readonly family: 4 | 6;
  readonly addr: bigint;
  readonly bits: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hex words.
    const cut = text.lastIndexOf(':');
    const v4 = parseV4(text.slice(cut + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, cut + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0] ?? '');
  const tail = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const given = head.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const zeros: string[] = Array.from({ length: 8 - given }, () => '0');
  return [...head, ...zeros, ...tail].reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a host prefix). Undefined when invalid. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const ip = slash >= 0 ? text.slice(0, slash) : text;
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const addr = family === 4 ? parseV4(ip) : parseV6(ip);
  if (addr === undefined) return undefined;
  const lenText = slash >= 0 ? text.slice(slash + 1) : String(WIDTH[family]);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lenText)) return undefined;
  const bits = Number(lenText);
  if (bits > WIDTH[family]) return undefined;
  return { family, addr: addr & mask(family, bits), bits };
}

function mask(family: 4 | 6, bits: number): bigint {
  const w = BigInt(WIDTH[family]);
  return bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << (w - BigInt(bits));
}

/** Does `outer` contain `inner` (equal prefixes contain each other)? */
export function containsPrefix(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.bits <= inner.bits && (inner.addr & mask(outer.family, outer.bits)) === outer.addr;
}

export function formatPrefix(p: Prefix): string {
  if (p.family === 4) {
    const b = [24n, 16n, 8n, 0n].map((s) => Number((p.addr >> s) & 0xffn));
    return `${b.join('.')}/${p.bits}`;
  }
  const words = Array.from({ length: 8 }, (_, i) => Number((p.addr >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero words, the first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  const text = best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
  return `${text}/${p.bits}`;
}

/** The canonical text of a prefix, or undefined when the text is not one. */
export function normalizePrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  return p && formatPrefix(p);
}
