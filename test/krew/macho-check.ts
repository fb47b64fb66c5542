// An independent reader of what scripts/macho.ts writes, for tests: walks the load commands,
// finds the embedded SEA blob, parses the code signature SuperBlob and recomputes every
// CodeDirectory hash from the file's bytes.
import { createHash } from 'node:crypto';

export interface MachOCheck {
  cputype: number;
  segments: string[];
  seaBlob?: { offset: number; size: number };
  signature?: {
    slots: number[];
    identifier: string;
    flags: number;
    hashType: number;
    pageShift: number;
    codeLimit: number;
    nCodeSlots: number;
    /** Code slots whose stored hash differs from the hash of the file's page. */
    badPages: number[];
    requirementsHashOk: boolean;
    linkeditEndsAtSignature: boolean;
    execSegLimit: bigint;
  };
}

export function checkMachO(b: Buffer): MachOCheck {
  if (b.readUInt32LE(0) !== 0xfeedfacf) throw new Error('not a 64-bit Mach-O');
  const ncmds = b.readUInt32LE(16);
  const segments: string[] = [];
  const out: MachOCheck = { cputype: b.readUInt32LE(4), segments };
  let linkeditEnd = -1;
  let sig: { dataoff: number; datasize: number } | undefined;
  for (let i = 0, off = 32; i < ncmds; i++) {
    const cmd = b.readUInt32LE(off);
    if (cmd === 0x19) {
      const name = b.toString('latin1', off + 8, off + 24).replace(/\0+$/, '');
      segments.push(name);
      if (name === '__LINKEDIT') linkeditEnd = Number(b.readBigUInt64LE(off + 40) + b.readBigUInt64LE(off + 48));
      for (let s = 0; s < b.readUInt32LE(off + 64); s++) {
        const so = off + 72 + s * 80;
        if (b.toString('latin1', so, so + 16).replace(/\0+$/, '') === '__NODE_SEA_BLOB') {
          out.seaBlob = { offset: b.readUInt32LE(so + 48), size: Number(b.readBigUInt64LE(so + 40)) };
        }
      }
    }
    if (cmd === 0x1d) sig = { dataoff: b.readUInt32LE(off + 8), datasize: b.readUInt32LE(off + 12) };
    off += b.readUInt32LE(off + 4);
  }
  if (!sig) return out;
  const sb = b.subarray(sig.dataoff, sig.dataoff + sig.datasize);
  if (sb.readUInt32BE(0) !== 0xfade0cc0) throw new Error('signature: not an embedded-signature SuperBlob');
  const count = sb.readUInt32BE(8);
  const index = new Map<number, number>();
  for (let i = 0; i < count; i++) index.set(sb.readUInt32BE(12 + i * 8), sb.readUInt32BE(16 + i * 8));
  const cdAt = index.get(0);
  if (cdAt === undefined || sb.readUInt32BE(cdAt) !== 0xfade0c02) throw new Error('signature: no CodeDirectory in slot 0');
  const cd = sb.subarray(cdAt, cdAt + sb.readUInt32BE(cdAt + 4));
  const hashOffset = cd.readUInt32BE(16);
  const identOffset = cd.readUInt32BE(20);
  const nSpecial = cd.readUInt32BE(24);
  const nCodeSlots = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd.readUInt8(36);
  const pageShift = cd.readUInt8(39);
  const badPages: number[] = [];
  for (let i = 0; i < nCodeSlots; i++) {
    const page = b.subarray(i << pageShift, Math.min((i + 1) << pageShift, codeLimit));
    const want = createHash('sha256').update(page).digest();
    if (!want.equals(cd.subarray(hashOffset + i * hashSize, hashOffset + (i + 1) * hashSize))) badPages.push(i);
  }
  const reqAt = index.get(2);
  let requirementsHashOk = false;
  if (reqAt !== undefined && nSpecial >= 2) {
    const req = sb.subarray(reqAt, reqAt + sb.readUInt32BE(reqAt + 4));
    requirementsHashOk = createHash('sha256').update(req).digest().equals(cd.subarray(hashOffset - 2 * hashSize, hashOffset - hashSize));
  }
  const ident = cd.subarray(identOffset);
  out.signature = {
    slots: [...index.keys()],
    identifier: ident.toString('utf8', 0, ident.indexOf(0)),
    flags: cd.readUInt32BE(12),
    hashType: cd.readUInt8(37),
    pageShift,
    codeLimit,
    nCodeSlots,
    badPages,
    requirementsHashOk,
    linkeditEndsAtSignature: linkeditEnd === sig.dataoff + sig.datasize && linkeditEnd === b.length,
    execSegLimit: cd.readUInt32BE(8) >= 0x20400 ? cd.readBigUInt64BE(72) : 0n,
  };
  return out;
}
