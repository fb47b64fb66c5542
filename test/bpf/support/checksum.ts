// Internet checksums of crafted frames (Ethernet + IPv4/IPv6 without extension headers +
// TCP/UDP): fill them in before a test run, verify them after the datapath rewrote a packet.

function sum16(b: Uint8Array, acc = 0): number {
  for (let i = 0; i + 1 < b.length; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) acc += b[b.length - 1]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

interface Parts {
  l3: number;
  l4: number;
  proto: number;
  pseudo: Uint8Array;
  csumOff: number;
}

function parts(f: Uint8Array): Parts {
  const type = (f[12]! << 8) | f[13]!;
  if (type === 0x0800) {
    const l4 = 14 + (f[14]! & 15) * 4;
    const proto = f[23]!;
    const len = ((f[16]! << 8) | f[17]!) - (l4 - 14);
    const pseudo = new Uint8Array(12);
    pseudo.set(f.subarray(26, 34), 0);
    pseudo[9] = proto;
    pseudo[10] = len >> 8;
    pseudo[11] = len & 0xff;
    return { l3: 14, l4, proto, pseudo, csumOff: l4 + (proto === 6 ? 16 : 6) };
  }
  const l4 = 54;
  const proto = f[20]!;
  const len = f.length - l4;
  const pseudo = new Uint8Array(40);
  pseudo.set(f.subarray(22, 54), 0);
  pseudo[34] = len >> 8;
  pseudo[35] = len & 0xff;
  pseudo[39] = proto;
  return { l3: 14, l4, proto, pseudo, csumOff: l4 + (proto === 6 ? 16 : 6) };
}

function l4sum(f: Uint8Array, p: Parts): number {
  return fold(sum16(f.subarray(p.l4), sum16(p.pseudo)));
}

/** A copy of an IPv4 frame with only its header checksum set (later fragments: no L4 header). */
export function withIpv4HeaderChecksum(frame: Uint8Array): Uint8Array {
  const f = frame.slice();
  const hl = (f[14]! & 15) * 4;
  f[24] = f[25] = 0;
  const c = ~fold(sum16(f.subarray(14, 14 + hl))) & 0xffff;
  f[24] = c >> 8;
  f[25] = c & 0xff;
  return f;
}

/** A copy of the frame with the IPv4 header and L4 checksums set (`udpZero`: IPv4 UDP without one). */
export function withChecksums(frame: Uint8Array, o: { udpZero?: boolean } = {}): Uint8Array {
  const f = frame.slice();
  const p = parts(f);
  if (((f[12]! << 8) | f[13]!) === 0x0800) {
    const hl = (f[14]! & 15) * 4;
    f[24] = f[25] = 0;
    const c = ~fold(sum16(f.subarray(14, 14 + hl))) & 0xffff;
    f[24] = c >> 8;
    f[25] = c & 0xff;
  }
  f[p.csumOff] = f[p.csumOff + 1] = 0;
  if (o.udpZero && p.proto === 17) return f;
  let c = ~l4sum(f, p) & 0xffff;
  if (c === 0 && p.proto === 17) c = 0xffff;
  f[p.csumOff] = c >> 8;
  f[p.csumOff + 1] = c & 0xff;
  return f;
}

/** Whether the frame's IPv4 header checksum (if IPv4) and L4 checksum verify; an IPv4 UDP checksum of 0 is "none". */
export function checksumsValid(f: Uint8Array): { l3: boolean; l4: boolean; l4Zero: boolean } {
  const p = parts(f);
  let l3 = true;
  if (((f[12]! << 8) | f[13]!) === 0x0800) l3 = fold(sum16(f.subarray(14, 14 + (f[14]! & 15) * 4))) === 0xffff;
  const zero = p.proto === 17 && f[p.csumOff] === 0 && f[p.csumOff + 1] === 0;
  return { l3, l4: zero || l4sum(f, p) === 0xffff, l4Zero: zero };
}
