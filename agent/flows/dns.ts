// DNS message decoding from the first bytes of a UDP (or TCP, length-prefixed) payload: header,
// questions, and the A/AAAA/CNAME answers with TTLs. Never throws: a malformed message is a
// typed failure; a payload cut short after the question yields the answers that fit, marked
// truncated. Compression pointers must point strictly backwards and are bounded, so crafted
// loops end as 'name-loop'.

export interface DnsQuestion { name: string; type: number; class: number }
export interface DnsAnswer { name: string; type: number; class: number; ttl: number; data: string }
export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsAnswer[];
  /** The payload ended before every answer was read. */
  truncated: boolean;
}

export type DnsParseError = 'short-header' | 'bad-counts' | 'bad-name' | 'name-loop' | 'truncated-question';
export type DnsParseResult = { ok: true; message: DnsMessage } | { ok: false; error: DnsParseError };

class Fail {
  constructor(readonly error: DnsParseError) {}
}

const MAX_NAME = 255;
const MAX_JUMPS = 32;
const MAX_RECORDS = 256;

function label(bytes: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = bytes[i] ?? 0;
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return s;
}

/** Reads a possibly compressed name at `offset`; returns it (with trailing dot) and the offset after it. */
function readName(bytes: Uint8Array, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let jumps = 0;
  let wire = 0;
  let lowest = offset;
  for (;;) {
    if (pos >= bytes.length) throw new Fail('bad-name');
    const len = bytes[pos] ?? 0;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= bytes.length) throw new Fail('bad-name');
      const target = ((len & 0x3f) << 8) | (bytes[pos + 1] ?? 0);
      if (next < 0) next = pos + 2;
      // Only strictly backwards, below every position visited: no cycle can form.
      if (target >= lowest || ++jumps > MAX_JUMPS) throw new Fail('name-loop');
      pos = lowest = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new Fail('bad-name');
    if (pos + 1 + len > bytes.length) throw new Fail('bad-name');
    wire += len + 1;
    if (wire > MAX_NAME) throw new Fail('bad-name');
    labels.push(label(bytes, pos + 1, len));
    pos += len + 1;
  }
  return { name: labels.length ? `${labels.join('.')}.` : '.', next };
}

const u16 = (b: Uint8Array, o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const u32 = (b: Uint8Array, o: number): number => u16(b, o) * 65536 + u16(b, o + 2);

export function formatIPv6(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(u16(b, o + 2 * i));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function rdata(bytes: Uint8Array, type: number, start: number, len: number): string {
  if (type === 1 && len === 4) return `${bytes[start]}.${bytes[start + 1]}.${bytes[start + 2]}.${bytes[start + 3]}`;
  if (type === 28 && len === 16) return formatIPv6(bytes, start);
  if (type === 5) return readName(bytes, start).name;
  return '';
}

function parse(bytes: Uint8Array): DnsMessage {
  if (bytes.length < 12) throw new Fail('short-header');
  const flags = u16(bytes, 2);
  const qd = u16(bytes, 4);
  const an = u16(bytes, 6);
  if (qd > MAX_RECORDS || an > MAX_RECORDS) throw new Fail('bad-counts');
  const msg: DnsMessage = {
    id: u16(bytes, 0), response: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0xf, rcode: flags & 0xf,
    questions: [], answers: [], truncated: false,
  };
  let pos = 12;
  for (let i = 0; i < qd; i++) {
    if (pos >= bytes.length) throw new Fail('truncated-question');
    const { name, next } = readName(bytes, pos);
    if (next + 4 > bytes.length) throw new Fail('truncated-question');
    msg.questions.push({ name, type: u16(bytes, next), class: u16(bytes, next + 2) });
    pos = next + 4;
  }
  for (let i = 0; i < an; i++) {
    try {
      const { name, next } = readName(bytes, pos);
      if (next + 10 > bytes.length) throw new Fail('bad-name');
      const type = u16(bytes, next);
      const rdlen = u16(bytes, next + 8);
      if (next + 10 + rdlen > bytes.length) throw new Fail('bad-name');
      msg.answers.push({ name, type, class: u16(bytes, next + 2), ttl: u32(bytes, next + 4), data: rdata(bytes, type, next + 10, rdlen) });
      pos = next + 10 + rdlen;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      msg.truncated = true; // the snapshot of the payload ends inside the answers
      break;
    }
  }
  return msg;
}

export function parseDns(bytes: Uint8Array): DnsParseResult {
  try {
    return { ok: true, message: parse(bytes) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

/** DNS over TCP: a two-byte length, then the message (possibly cut short). */
export function parseDnsTcp(bytes: Uint8Array): DnsParseResult {
  if (bytes.length < 2) return { ok: false, error: 'short-header' };
  const len = u16(bytes, 0);
  return parseDns(bytes.subarray(2, 2 + len));
}
