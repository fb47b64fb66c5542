// DNS messages (RFC 1035), only what a cluster DNS needs: parse a query, build an answer with A
// records (or NXDOMAIN / NOERROR-empty). Pure.

export interface Question {
  name: string; // lowercase, no trailing dot
  type: number;
  cls: number;
}

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const TYPE_SRV = 33;
export const TYPE_PTR = 12;

export interface Query {
  id: number;
  flags: number;
  questions: Question[];
}

function readName(buf: Buffer, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    const len = buf.readUInt8(pos);
    if (len === 0) {
      pos++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = pos + 2;
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), next: next < 0 ? pos : next };
}

export function parseQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new Error('short DNS message');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const questions: Question[] = [];
  let off = 12;
  for (let i = 0; i < qd; i++) {
    const { name, next } = readName(buf, off);
    questions.push({ name, type: buf.readUInt16BE(next), cls: buf.readUInt16BE(next + 2) });
    off = next + 4;
  }
  return { id, flags, questions };
}

function writeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
}

export interface Answer {
  name: string;
  type: number;
  ttl: number;
  data: Buffer;
}

export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_REFUSED = 5;

export function buildResponse(q: Query, answers: Answer[], rcode: number, authoritative = true): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR=1, opcode from query, AA, RD copied, RA=1.
  const rd = q.flags & 0x0100;
  header.writeUInt16BE(0x8000 | (q.flags & 0x7800) | (authoritative ? 0x0400 : 0) | rd | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(q.questions.length, 4);
  header.writeUInt16BE(answers.length, 6);
  const parts: Buffer[] = [header];
  for (const qu of q.questions) {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(qu.type, 0);
    t.writeUInt16BE(qu.cls, 2);
    parts.push(writeName(qu.name), t);
  }
  for (const a of answers) {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(a.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(a.ttl, 4);
    fixed.writeUInt16BE(a.data.length, 8);
    parts.push(writeName(a.name), fixed, a.data);
  }
  return Buffer.concat(parts);
}

export function aRecord(name: string, ipv4: string, ttl = 30): Answer {
  return { name, type: TYPE_A, ttl, data: Buffer.from(ipv4.split('.').map(Number)) };
}

export function ptrRecord(name: string, target: string, ttl = 30): Answer {
  return { name, type: TYPE_PTR, ttl, data: writeName(target) };
}

/** Builds a query (for tests and probes). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(1, 4);
  const t = Buffer.alloc(4);
  t.writeUInt16BE(type, 0);
  t.writeUInt16BE(1, 2);
  return Buffer.concat([h, writeName(name), t]);
}

export function parseAnswers(buf: Buffer): { rcode: number; ips: string[] } {
  const rcode = buf.readUInt16BE(2) & 0xf;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = readName(buf, off).next + 4;
  const ips: string[] = [];
  for (let i = 0; i < an; i++) {
    const { next } = readName(buf, off);
    const type = buf.readUInt16BE(next);
    const len = buf.readUInt16BE(next + 8);
    if (type === TYPE_A && len === 4) ips.push([...buf.subarray(next + 10, next + 14)].join('.'));
    off = next + 10 + len;
  }
  return { rcode, ips };
}
