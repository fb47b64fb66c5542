import test from 'ava';
import { header, parseHttp, requestUrl, traceIdOf, type HttpParseError } from '../../../agent/flows/http.ts';
import { L7Decoder } from '../../../agent/flows/l7.ts';
import { DnsNames } from '../../../agent/flows/dns-names.ts';
import type { NetobsEvent } from '../../../bpf/loader/index.ts';
import { httpLayer7, httpRequestRecord, httpResponseRecord } from '../../../agent/flows/l7-records.ts';
import { connectionKey, L7Pairing } from '../../../agent/flows/l7-pairing.ts';
import { mutate, prng, randomBytes } from './fuzz.ts';

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const request = b('POST /v1/request-landing?x=1 HTTP/1.1\r\nHost: deathstar.default.svc.cluster.local\r\nUser-Agent: curl/8.0\r\nContent-Length: 2\r\n\r\n{}');
const response = b('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found');

test('parses a request head', (t) => {
  const r = parseHttp(request);
  if (!r.ok || r.head.kind !== 'request') return t.fail(JSON.stringify(r));
  t.like(r.head, { method: 'POST', target: '/v1/request-landing?x=1', protocol: 'HTTP/1.1', complete: true });
  t.is(header(r.head, 'user-agent'), 'curl/8.0');
  t.is(requestUrl(r.head, '10.0.0.1:80'), 'http://deathstar.default.svc.cluster.local/v1/request-landing?x=1');
  t.deepEqual(httpRequestRecord(r.head, 'x'), { method: 'POST', url: 'http://deathstar.default.svc.cluster.local/v1/request-landing?x=1', protocol: 'HTTP/1.1' });
});

test('parses a response head and pairs it with its request', (t) => {
  const r = parseHttp(response);
  if (!r.ok || r.head.kind !== 'response') return t.fail(JSON.stringify(r));
  t.like(r.head, { protocol: 'HTTP/1.1', code: 404, reason: 'Not Found', complete: true });
  const rec = httpResponseRecord(r.head, { method: 'GET', url: 'http://x/y' });
  t.deepEqual(httpLayer7(rec, 4_000_000), { type: 2, latency_ns: 4_000_000, http: { code: 404, protocol: 'HTTP/1.1', method: 'GET', url: 'http://x/y' } });
});

test('a head cut short keeps its complete headers', (t) => {
  const r = parseHttp(request.subarray(0, 90));
  if (!r.ok) return t.fail(r.error);
  t.false(r.head.complete);
  t.deepEqual(r.head.headers, [['Host', 'deathstar.default.svc.cluster.local']]);
});

test('without a Host header the server address stands in; absolute targets stay', (t) => {
  const r = parseHttp(b('GET /healthz HTTP/1.0\r\n\r\n'));
  if (!r.ok || r.head.kind !== 'request') return t.fail();
  t.is(requestUrl(r.head, '10.0.2.7:8080'), 'http://10.0.2.7:8080/healthz');
  const p = parseHttp(b('GET http://proxy.example/x HTTP/1.1\r\n\r\n'));
  if (!p.ok || p.head.kind !== 'request') return t.fail();
  t.is(requestUrl(p.head, 'ignored'), 'http://proxy.example/x');
});

const fails = test.macro({
  exec(t, input: string, error: HttpParseError) {
    t.deepEqual(parseHttp(b(input)), { ok: false, error });
  },
  title: (title, input: string, error) => title ?? `${JSON.stringify(input.slice(0, 30))} → ${error}`,
});

test(fails, '', 'not-http');
test(fails, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 'not-http');
test(fails, 'SSH-2.0-OpenSSH_9.2\r\n', 'not-http');
test(fails, 'GET / HTTP/2\r\n\r\n', 'not-http');
test(fails, 'HTTP/1.1 99 Odd\r\n\r\n', 'not-http');
test(fails, 'GET /very/long/path/without/end', 'incomplete-start-line');
test(fails, 'HTTP/1.1 200', 'incomplete-start-line');
test(fails, 'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n', 'bad-header');
test(fails, 'GET / HTTP/1.1\r\nno-colon\r\n\r\n', 'bad-header');

test('pairs pipelined responses in order and measures latency', (t) => {
  const p = new L7Pairing<string>();
  const k = connectionKey('10.0.1.5', 40000, '10.0.2.7', 80);
  p.request(k, 'GET /a', 1_000n);
  p.request(k, 'GET /b', 2_000n);
  t.deepEqual(p.response(k, 5_000n), { request: 'GET /a', latencyNs: 4_000 });
  t.deepEqual(p.response(k, 5_500n), { request: 'GET /b', latencyNs: 3_500 });
  t.is(p.response(k, 6_000n), undefined);
  t.is(p.size, 0);
});

test('pairing is bounded in count and age, and counts what it drops', (t) => {
  const p = new L7Pairing<number>(3, 1_000n);
  for (let i = 0; i < 5; i++) p.request(`k${i}`, i, BigInt(i * 100));
  t.is(p.size, 3);
  t.is(p.evicted, 2);
  t.is(p.response('k0', 1_000n), undefined);
  t.is(p.expire(1_250n), 1); // only k2 (at 200) is older than 1000 ns
  t.is(p.size, 2);
  t.is(p.evicted, 3);
  t.deepEqual(p.response('k4', 1_400n), { request: 4, latencyNs: 1_000 });
});

const ERRORS = new Set(['not-http', 'incomplete-start-line', 'bad-header']);

test('fuzz: random and mutated payloads never throw and always answer', (t) => {
  let parsed = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const rand = prng(seed);
    const input = seed % 3 === 0 ? randomBytes(rand, 200) : mutate(rand, seed % 3 === 1 ? request : response);
    let r: ReturnType<typeof parseHttp>;
    try {
      r = parseHttp(input);
    } catch (e) {
      return t.fail(`seed ${seed} threw ${String(e)}`);
    }
    if (r.ok) {
      parsed++;
      if (r.head.kind === 'request') requestUrl(r.head, 'h');
    } else if (!ERRORS.has(r.error)) {
      return t.fail(`seed ${seed}: unknown error ${r.error}`);
    }
  }
  t.true(parsed > 500, `only ${parsed} inputs parsed: the mutations no longer exercise the parser`);
});

const traceparent = test.macro({
  exec(t, value: string | string[] | undefined, want: string | undefined) {
    t.is(traceIdOf(value), want);
  },
  title: (_, value) => `traceparent ${JSON.stringify(value)}`,
});
test(traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '4bf92f3577b34da6a3ce929d0e0e4736');
test(traceparent, ' 01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later ', '4bf92f3577b34da6a3ce929d0e0e4736');
test(traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', undefined);
test(traceparent, 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', undefined);
test(traceparent, '00-00000000000000000000000000000000-00f067aa0ba902b7-01', undefined);
test(traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', undefined);
test(traceparent, '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', undefined);
test(traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, 00-aaf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', undefined);
test(traceparent, ['a', 'b'], undefined);
test(traceparent, undefined, undefined);

test('the payload parser takes the trace of a request head into the request and its response flow', (t) => {
  const dec = new L7Decoder(new DnsNames());
  const ev = (src: string, sport: number, dst: string, dport: number, text: string, ns: bigint) =>
    ({ srcIp: src, srcPort: sport, dstIp: dst, dstPort: dport, protocol: 6, timestampNs: ns, payload: new TextEncoder().encode(text) }) as unknown as NetobsEvent;
  const trace = '0af7651916cd43dd8448eb211c80319c';
  const rq = dec.decode(ev('10.0.0.1', 40000, '10.0.0.2', 80, `GET /a HTTP/1.1\r\nHost: s\r\ntraceparent: 00-${trace}-b7ad6b7169203331-01\r\n\r\n`, 1000n), {});
  const rs = dec.decode(ev('10.0.0.2', 80, '10.0.0.1', 40000, 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 5000n), {});
  t.deepEqual([rq?.trace_context, rs?.trace_context], [{ parent: { trace_id: trace } }, { parent: { trace_id: trace } }]);
  t.is(rs?.l7?.http?.code, 200);
  const plain = dec.decode(ev('10.0.0.1', 40001, '10.0.0.2', 80, 'GET /b HTTP/1.1\r\nHost: s\r\n\r\n', 6000n), {});
  t.is(plain?.trace_context, undefined);
});
