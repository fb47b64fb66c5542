// Just enough of 64-bit Mach-O to give an executable an ad-hoc code signature without Apple's
// codesign: postject's blob injection drops the Node binary's signature, and macOS on Apple Silicon
// (and Rosetta 2) refuses unsigned code. An ad-hoc signature is a SuperBlob holding a CodeDirectory
// (SHA-256 of every 4 KiB page up to the signature) and an empty requirements set, placed at the
// end of __LINKEDIT and named by an LC_CODE_SIGNATURE load command. Layout facts: <mach-o/loader.h>
// and Apple's xnu osfmk/kern/cs_blobs.h (magic numbers, CodeDirectory version 0x20400 fields).
import { createHash } from 'node:crypto';

export const MH_MAGIC_64 = 0xfeedfacf;
export const CPU_TYPE_X86_64 = 0x01000007;
export const CPU_TYPE_ARM64 = 0x0100000c;
const MH_EXECUTE = 2;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;

export const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
export const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
export const CSMAGIC_REQUIREMENTS = 0xfade0c01;
export const CSSLOT_CODEDIRECTORY = 0;
export const CSSLOT_REQUIREMENTS = 2;
const CS_ADHOC = 0x2;
const CS_HASHTYPE_SHA256 = 2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
export const PAGE_SHIFT = 12;
const CD_HEADER_SIZE = 88; // the CodeDirectory of version 0x20400, up to execSegFlags

export interface Section {
  name: string;
  segment: string;
  offset: number;
  size: number;
}

export interface Segment {
  name: string;
  /** Offset of the load command in the file. */
  cmdOffset: number;
  vmaddr: bigint;
  vmsize: bigint;
  fileoff: number;
  filesize: number;
  sections: Section[];
}

export interface MachO {
  cputype: number;
  filetype: number;
  ncmds: number;
  sizeofcmds: number;
  segments: Segment[];
  codeSignature?: { cmdOffset: number; dataoff: number; datasize: number };
  /** First byte after the load commands, and the first section's data: the room between is free. */
  commandsEnd: number;
  firstSectionOffset: number;
}

export function parseMachO(b: Buffer): MachO {
  if (b.length < 32 || b.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('mach-o: not a 64-bit little-endian Mach-O file (magic)');
  const ncmds = b.readUInt32LE(16);
  const sizeofcmds = b.readUInt32LE(20);
  const segments: Segment[] = [];
  let codeSignature: MachO['codeSignature'];
  let firstSectionOffset = b.length;
  let off = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = b.readUInt32LE(off);
    const size = b.readUInt32LE(off + 4);
    if (size < 8 || off + size > 32 + sizeofcmds) throw new Error(`mach-o: load command ${i} overruns the command area`);
    if (cmd === LC_SEGMENT_64) {
      const name = cstr(b, off + 8, 16);
      const sections: Section[] = [];
      for (let s = 0; s < b.readUInt32LE(off + 64); s++) {
        const so = off + 72 + s * 80;
        const sec = { name: cstr(b, so, 16), segment: cstr(b, so + 16, 16), size: Number(b.readBigUInt64LE(so + 40)), offset: b.readUInt32LE(so + 48) };
        // Zero-fill sections (bss) have no file data.
        const type = b.readUInt32LE(so + 64) & 0xff;
        if (sec.offset > 0 && type !== 0x1 && type !== 0xc && type !== 0x12) firstSectionOffset = Math.min(firstSectionOffset, sec.offset);
        sections.push(sec);
      }
      segments.push({
        name,
        cmdOffset: off,
        vmaddr: b.readBigUInt64LE(off + 24),
        vmsize: b.readBigUInt64LE(off + 32),
        fileoff: Number(b.readBigUInt64LE(off + 40)),
        filesize: Number(b.readBigUInt64LE(off + 48)),
        sections,
      });
    } else if (cmd === LC_CODE_SIGNATURE) {
      codeSignature = { cmdOffset: off, dataoff: b.readUInt32LE(off + 8), datasize: b.readUInt32LE(off + 12) };
    }
    off += size;
  }
  return { cputype: b.readUInt32LE(4), filetype: b.readUInt32LE(12), ncmds, sizeofcmds, segments, ...(codeSignature ? { codeSignature } : {}), commandsEnd: off, firstSectionOffset };
}

function cstr(b: Buffer, off: number, len: number): string {
  const s = b.toString('latin1', off, off + len);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * Returns a copy of an unsigned (or signed: the old signature is replaced) Mach-O executable with
 * an ad-hoc signature for `identifier`.
 */
export function adhocSign(input: Buffer, identifier: string): Buffer {
  const m = parseMachO(input);
  const linkedit = m.segments.find((s) => s.name === '__LINKEDIT');
  const text = m.segments.find((s) => s.name === '__TEXT');
  if (!linkedit || !text) throw new Error('mach-o sign: no __LINKEDIT or __TEXT segment');
  // Where the signature goes: replacing an old one, or after everything else, 16-byte aligned.
  const dataEnd = m.codeSignature ? m.codeSignature.dataoff : linkedit.fileoff + linkedit.filesize;
  if (!m.codeSignature && dataEnd !== input.length) throw new Error('mach-o sign: __LINKEDIT does not end the file');
  const codeLimit = align(dataEnd, 16);
  let cmdOffset = m.codeSignature?.cmdOffset;
  const head = Buffer.alloc(codeLimit);
  input.copy(head, 0, 0, dataEnd);
  if (cmdOffset === undefined) {
    if (m.commandsEnd + 16 > m.firstSectionOffset) throw new Error('mach-o sign: no room for LC_CODE_SIGNATURE after the load commands');
    cmdOffset = m.commandsEnd;
    head.writeUInt32LE(m.ncmds + 1, 16);
    head.writeUInt32LE(m.sizeofcmds + 16, 20);
  }
  const signature = buildSignature(codeLimit, identifier, { base: text.fileoff, limit: text.filesize, main: m.filetype === MH_EXECUTE });
  // The signature's size enters __LINKEDIT and the load command before the pages are hashed.
  const sigSize = align(signature.size, 16);
  head.writeUInt32LE(LC_CODE_SIGNATURE, cmdOffset);
  head.writeUInt32LE(16, cmdOffset + 4);
  head.writeUInt32LE(codeLimit, cmdOffset + 8);
  head.writeUInt32LE(sigSize, cmdOffset + 12);
  const filesize = codeLimit + sigSize - linkedit.fileoff;
  head.writeBigUInt64LE(BigInt(filesize), linkedit.cmdOffset + 48);
  head.writeBigUInt64LE(BigInt(Math.max(Number(linkedit.vmsize), align(filesize, 1 << 14))), linkedit.cmdOffset + 32);
  const blob = Buffer.alloc(sigSize);
  signature.write(head).copy(blob);
  return Buffer.concat([head, blob]);
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The SuperBlob; its size is known before the pages it hashes are final, so writing comes later. */
function buildSignature(codeLimit: number, identifier: string, execSeg: { base: number; limit: number; main: boolean }) {
  const requirements = Buffer.alloc(12);
  requirements.writeUInt32BE(CSMAGIC_REQUIREMENTS, 0);
  requirements.writeUInt32BE(12, 4);
  requirements.writeUInt32BE(0, 8);
  const nCodeSlots = Math.ceil(codeLimit / (1 << PAGE_SHIFT));
  const nSpecialSlots = CSSLOT_REQUIREMENTS;
  const ident = Buffer.from(`${identifier}\0`, 'utf8');
  const identOffset = CD_HEADER_SIZE;
  const hashOffset = identOffset + ident.length + nSpecialSlots * 32;
  const cdSize = hashOffset + nCodeSlots * 32;
  const superHeader = 12 + 2 * 8;
  const size = superHeader + cdSize + requirements.length;
  return {
    size,
    write(head: Buffer): Buffer {
      const cd = Buffer.alloc(cdSize);
      cd.writeUInt32BE(CSMAGIC_CODEDIRECTORY, 0);
      cd.writeUInt32BE(cdSize, 4);
      cd.writeUInt32BE(0x20400, 8);
      cd.writeUInt32BE(CS_ADHOC, 12);
      cd.writeUInt32BE(hashOffset, 16);
      cd.writeUInt32BE(identOffset, 20);
      cd.writeUInt32BE(nSpecialSlots, 24);
      cd.writeUInt32BE(nCodeSlots, 28);
      cd.writeUInt32BE(codeLimit, 32);
      cd.writeUInt8(32, 36); // hashSize
      cd.writeUInt8(CS_HASHTYPE_SHA256, 37);
      cd.writeUInt8(0, 38); // platform
      cd.writeUInt8(PAGE_SHIFT, 39);
      // spare2, scatterOffset, teamOffset, spare3, codeLimit64 stay zero.
      cd.writeBigUInt64BE(BigInt(execSeg.base), 64);
      cd.writeBigUInt64BE(BigInt(execSeg.limit), 72);
      cd.writeBigUInt64BE(execSeg.main ? BigInt(CS_EXECSEG_MAIN_BINARY) : 0n, 80);
      ident.copy(cd, identOffset);
      // Special slots are stored in reverse before hashOffset: slot -2 holds the requirements' hash.
      sha256(requirements).copy(cd, hashOffset - CSSLOT_REQUIREMENTS * 32);
      for (let i = 0; i < nCodeSlots; i++) {
        const start = i << PAGE_SHIFT;
        sha256(head.subarray(start, Math.min(start + (1 << PAGE_SHIFT), codeLimit))).copy(cd, hashOffset + i * 32);
      }
      const sb = Buffer.alloc(size);
      sb.writeUInt32BE(CSMAGIC_EMBEDDED_SIGNATURE, 0);
      sb.writeUInt32BE(size, 4);
      sb.writeUInt32BE(2, 8);
      sb.writeUInt32BE(CSSLOT_CODEDIRECTORY, 12);
      sb.writeUInt32BE(superHeader, 16);
      sb.writeUInt32BE(CSSLOT_REQUIREMENTS, 20);
      sb.writeUInt32BE(superHeader + cdSize, 24);
      cd.copy(sb, superHeader);
      requirements.copy(sb, superHeader + cdSize);
      return sb;
    },
  };
}

function sha256(b: Uint8Array): Buffer {
  return createHash('sha256').update(b).digest();
}
