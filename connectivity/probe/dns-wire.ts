// DNS messages (RFC 1035) as far as probes and the test responder need them: one question,
// A/AAAA/CNAME answers, name compression when reading. Pure: bytes in, objects out.
export const QTYPE = { A: 1, CNAME: 5, AAAA: 28 } as const;
export const RCODE_NAME: Readonly<Record<number, string>> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
export const rcodeName = (r: number) => RCODE_NAME[r] ?? `RCODE${r}`;

export interface Question {
  name: string;
  type: number;
}

export interface Answer {
  name: string;
  type: number;
  ttl: number;
  /** Address text for A/AAAA, the target name for CNAME, hex otherwise. */
  data: string;
}

export interface Message {
  id: number;
  response: boolean;
  rcode: number;
  recursionDesired: boolean;
  questions: Question[];
  answers: Answer[];
}

/** Lower-case, no trailing dot: how names are compared here. */
export const canonicalName = (n: string) => n.replace(/\.$/, '').toLowerCase();

function encodeName(name: string): Buffer {
  const labels = canonicalName(name).split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new Error(`dns: label too long in ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function header(id: number, flags: number, qd: number, an: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  return h;
}

const question = (q: Question) => {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(q.type, 0);
  tail.writeUInt16BE(1, 2); // class IN
  return Buffer.concat([encodeName(q.name), tail]);
};

export function encodeQuery(id: number, name: string, type: number): Buffer {
  return Buffer.concat([header(id, 0x0100 /* RD */, 1, 0), question({ name, type })]);
}

function encodeRData(a: Answer): Buffer {
  if (a.type === QTYPE.A) return Buffer.from(a.data.split('.').map(Number));
  if (a.type === QTYPE.AAAA) return ipv6Bytes(a.data);
  if (a.type === QTYPE.CNAME) return encodeName(a.data);
  return Buffer.from(a.data, 'hex');
}

export function encodeResponse(query: Message, rcode: number, answers: Answer[]): Buffer {
  // QR, AA, RD copied, RA off: an authoritative test server that does not recurse.
  const flags = 0x8000 | 0x0400 | (query.recursionDesired ? 0x0100 : 0) | (rcode & 0xf);
  const rrs = answers.map((a) => {
    const rdata = encodeRData(a);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(a.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(a.ttl, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    return Buffer.concat([encodeName(a.name), fixed, rdata]);
  });
  return Buffer.concat([header(query.id, flags, query.questions.length, answers.length), ...query.questions.map(question), ...rrs]);
}

function readName(buf: Buffer, start: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = start;
  let next = -1;
  for (let jumps = 0; ; ) {
    const len = buf.readUInt8(pos);
    if (len === 0) {
      pos++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 32) throw new Error('dns: compression loop');
      if (next < 0) next = pos + 2;
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    if (pos + 1 + len > buf.length) throw new Error('dns: truncated name');
    labels.push(buf.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next: next < 0 ? pos : next };
}

export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new Error('dns: message shorter than its header');
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, pos);
    questions.push({ name: n.name, type: buf.readUInt16BE(n.next) });
    pos = n.next + 4;
  }
  const answers: Answer[] = [];
  for (let i = 0; i < an; i++) {
    const n = readName(buf, pos);
    const type = buf.readUInt16BE(n.next);
    const ttl = buf.readUInt32BE(n.next + 4);
    const len = buf.readUInt16BE(n.next + 8);
    const rd = n.next + 10;
    if (rd + len > buf.length) throw new Error('dns: truncated record');
    const data =
      type === QTYPE.A && len === 4 ? [...buf.subarray(rd, rd + 4)].join('.')
      : type === QTYPE.AAAA && len === 16 ? ipv6Text(buf.subarray(rd, rd + 16))
      : type === QTYPE.CNAME ? readName(buf, rd).name
      : buf.toString('hex', rd, rd + len);
    answers.push({ name: n.name, type, ttl, data });
    pos = rd + len;
  }
  return { id: buf.readUInt16BE(0), response: (flags & 0x8000) !== 0, rcode: flags & 0xf, recursionDesired: (flags & 0x0100) !== 0, questions, answers };
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Collapse the longest run of zero groups, as every tool prints IPv6.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

function ipv6Bytes(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
