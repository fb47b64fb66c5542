import test from 'ava';
import { formatIPv6, parseDns, parseDnsTcp, type DnsParseError } from '../../../agent/flows/dns.ts';
import { dnsLayer7, dnsRecord } from '../../../agent/flows/l7-records.ts';
import { mutate, prng, randomBytes } from './fuzz.ts';

const name = (n: string): number[] => [...n.split('.').filter(Boolean).flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
const u16 = (n: number): number[] => [n >> 8, n & 255];
const u32 = (n: number): number[] => [...u16(Math.floor(n / 65536)), ...u16(n % 65536)];
const header = (id: number, flags: number, qd: number, an: number): number[] => [...u16(id), ...u16(flags), ...u16(qd), ...u16(an), 0, 0, 0, 0];
const rr = (owner: number[], type: number, ttl: number, data: number[]): number[] => [...owner, ...u16(type), 0, 1, ...u32(ttl), ...u16(data.length), ...data];

const query = Uint8Array.from([...header(0x1234, 0x0100, 1, 0), ...name('www.example.com'), 0, 1, 0, 1]);
// Response: question at 12, answers use compression pointers back to it (0xc00c).
const response = Uint8Array.from([
  ...header(0x1234, 0x8180, 1, 3), ...name('www.example.com'), 0, 1, 0, 1,
  ...rr([0xc0, 0x0c], 5, 300, [3, ...Buffer.from('cdn'), 0xc0, 0x10]), // CNAME cdn.example.com. (pointer to "example.com")
  ...rr([0xc0, 0x0c], 1, 60, [93, 184, 216, 34]),
  ...rr([0xc0, 0x0c], 28, 30, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
]);

test('decodes a query', (t) => {
  const r = parseDns(query);
  t.true(r.ok);
  if (!r.ok) return;
  t.like(r.message, { id: 0x1234, response: false, rcode: 0, questions: [{ name: 'www.example.com.', type: 1, class: 1 }], answers: [], truncated: false });
  t.deepEqual(dnsRecord(r.message), { query: 'www.example.com.', qtypes: ['A'] });
});

test('decodes answers with compression, CNAME, A and AAAA with TTLs', (t) => {
  const r = parseDns(response);
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(r.message.answers.map((a) => [a.name, a.type, a.ttl, a.data]), [
    ['www.example.com.', 5, 300, 'cdn.example.com.'],
    ['www.example.com.', 1, 60, '93.184.216.34'],
    ['www.example.com.', 28, 30, '2001:db8::1'],
  ]);
  t.deepEqual(dnsLayer7(r.message, 1500), {
    type: 2, latency_ns: 1500,
    dns: { query: 'www.example.com.', qtypes: ['A'], rcode: 0, ips: ['93.184.216.34', '2001:db8::1'], ttl: 30, cnames: ['cdn.example.com.'], rrtypes: ['CNAME', 'A', 'AAAA'] },
  });
});

test('NXDOMAIN keeps its rcode', (t) => {
  const r = parseDns(Uint8Array.from([...header(7, 0x8183, 1, 0), ...name('nope.example'), 0, 28, 0, 1]));
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(dnsRecord(r.message), { query: 'nope.example.', qtypes: ['AAAA'], rcode: 3 });
});

test('a payload cut inside the answers keeps the answers that fit', (t) => {
  const r = parseDns(response.subarray(0, response.length - 20));
  if (!r.ok) return t.fail(r.error);
  t.true(r.message.truncated);
  t.is(r.message.answers.length, 2);
});

test('TCP framing', (t) => {
  const r = parseDnsTcp(Uint8Array.from([...u16(query.length), ...query]));
  t.true(r.ok && r.message.questions[0]?.name === 'www.example.com.');
});

const fails = test.macro({
  exec(t, bytes: number[], error: DnsParseError) {
    t.deepEqual(parseDns(Uint8Array.from(bytes)), { ok: false, error });
  },
  title: (title, _b, error) => `${title}: ${error}`,
});

test('short header', fails, [1, 2, 3], 'short-header');
test('pointer to itself', fails, [...header(1, 0, 1, 0), 0xc0, 12, 0, 1, 0, 1], 'name-loop');
test('pointer forwards', fails, [...header(1, 0, 1, 0), 0xc0, 14, 1, 97, 0, 0, 1, 0, 1], 'name-loop');
test('two pointers in a cycle', fails, [...header(1, 0, 1, 0), 1, 97, 0xc0, 16, 0xc0, 12, 0, 1, 0, 1], 'name-loop');
test('label past the end', fails, [...header(1, 0, 1, 0), 9, 97, 98], 'bad-name');
test('reserved label type', fails, [...header(1, 0, 1, 0), 0x80, 0, 0, 1, 0, 1], 'bad-name');
test('question without type', fails, [...header(1, 0, 1, 0), ...name('a.b'), 0], 'truncated-question');
test('huge counts', fails, header(1, 0, 0xffff, 0), 'bad-counts');
test('name over 255 bytes', fails, [...header(1, 0, 1, 0), ...Array.from({ length: 5 }, () => [63, ...new Array(63).fill(97)]).flat(), 0, 0, 1, 0, 1], 'bad-name');

test('IPv6 formatting follows RFC 5952', (t) => {
  const v6 = (groups: number[]): string => formatIPv6(Uint8Array.from(groups.flatMap(u16)), 0);
  t.is(v6([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  t.is(v6([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
  t.is(v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  t.is(v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
  t.is(v6([0xfd00, 0, 0, 0, 0, 0, 0, 0xa]), 'fd00::a');
});

const ERRORS = new Set(['short-header', 'bad-counts', 'bad-name', 'name-loop', 'truncated-question']);

test('fuzz: random and mutated messages never throw and always answer', (t) => {
  let parsed = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const rand = prng(seed);
    const input = seed % 3 === 0 ? randomBytes(rand, 300) : mutate(rand, seed % 3 === 1 ? response : query);
    let r: ReturnType<typeof parseDns>;
    try {
      r = parseDns(input);
    } catch (e) {
      return t.fail(`seed ${seed} threw ${String(e)}`);
    }
    if (r.ok) {
      if (!r.message.questions.every((q) => q.name.endsWith('.'))) return t.fail(`seed ${seed}: name without trailing dot`);
      dnsRecord(r.message);
      parsed++;
    } else if (!ERRORS.has(r.error)) {
      return t.fail(`seed ${seed}: unknown error ${r.error}`);
    }
  }
  t.true(parsed > 500, `only ${parsed} inputs parsed: the mutations no longer exercise the decoder`);
});
