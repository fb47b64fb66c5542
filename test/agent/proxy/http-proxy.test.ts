import test from 'ava';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { ACCESS_DENIED, HttpPolicyProxy, type ConnectionPolicy, type ProxyRecord } from '../../../agent/proxy/http-proxy.ts';
import { compileHttpRule } from '../../../agent/proxy/http-rules.ts';
import type { HttpRule } from '../../../agent/policy/types.ts';
import { proxyFlow } from '../../../agent/proxy/flows.ts';
import type { FlowContext } from '../../../agent/flows/context.ts';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';

const POLICY = { kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'rule1' } as const;
const LANDING: HttpRule[] = [{ method: 'POST', path: '/v1/request-landing' }];

interface Seen { method: string; url: string; body: string; headers: IncomingMessage['headers'] }

/** A deathstar: answers every request with its method and path, and remembers what reached it. */
async function upstream(): Promise<{ port: number; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const srv = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString(), headers: req.headers });
      res.end(`ship landed: ${req.method} ${req.url}\n`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, seen, close: () => { srv.closeAllConnections(); srv.close(); } };
}

async function setup(t: { teardown: (f: () => void) => void }, rules: HttpRule[] = LANDING, opts: { resolve?: (p: ConnectionPolicy) => ConnectionPolicy | undefined; maxConnectionsPerEndpoint?: number; maxHeaderBytes?: number } = {}) {
  const up = await upstream();
  const records: ProxyRecord[] = [];
  const policy: ConnectionPolicy = { endpoint: 'default/deathstar', upstream: { host: '127.0.0.1', port: up.port }, allow: [{ policy: POLICY, rules: rules.map(compileHttpRule) }] };
  const proxy = new HttpPolicyProxy({
    resolve: () => (opts.resolve ? opts.resolve(policy) : policy),
    onRecord: (r) => records.push(r),
    ...(opts.maxConnectionsPerEndpoint !== undefined && { maxConnectionsPerEndpoint: opts.maxConnectionsPerEndpoint }),
    ...(opts.maxHeaderBytes !== undefined && { maxHeaderBytes: opts.maxHeaderBytes }),
  });
  const listener: Server = createServer((s) => proxy.handle(s));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  t.teardown(() => { proxy.close(); listener.close(); up.close(); });
  return { port: (listener.address() as AddressInfo).port, up, records, proxy };
}

/** Writes raw bytes on one connection and reads until `responses` complete answers arrived or it closed. */
function raw(port: number, bytes: string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (c) => {
      text += c.toString('latin1');
      if (until(text)) { s.destroy(); resolve(text); }
    });
    s.on('error', reject);
    s.on('close', () => resolve(text));
    s.write(bytes);
  });
}
const answers = (n: number) => (text: string) => (text.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= n && /\r\n\r\n[^]*$/.test(text) && (text.endsWith('\n'));
const statuses = (text: string) => (text.match(/HTTP\/1\.1 (\d{3})/g) ?? []).map((s) => Number(s.slice(9)));

const req = (method: string, path: string, extra = '') => `${method} ${path} HTTP/1.1\r\nHost: deathstar\r\n${extra}content-length: 0\r\n\r\n`;

test('the Star Wars rule: landing is forwarded, exhaust port and / get Cilium\'s 403 and never reach the server', async (t) => {
  const { port, up, records } = await setup(t);
  t.deepEqual(statuses(await raw(port, req('POST', '/v1/request-landing'), answers(1))), [200]);
  const denied = await raw(port, req('PUT', '/v1/exhaust-port'), (x) => x.endsWith(ACCESS_DENIED));
  t.regex(denied, /^HTTP\/1\.1 403 Forbidden\r\n/);
  t.regex(denied, /\r\ncontent-type: text\/plain\r\n/i);
  t.regex(denied, /\r\ncontent-length: 15\r\n/i);
  t.true(denied.endsWith('\r\n\r\nAccess denied\r\n'));
  t.deepEqual(statuses(await raw(port, req('GET', '/v1/'), (x) => x.endsWith(ACCESS_DENIED))), [403]);
  t.deepEqual(up.seen.map((s) => `${s.method} ${s.url}`), ['POST /v1/request-landing']);
  const byType = (type: string) => records.filter((r) => r.type === type).map((r) => `${r.verdict} ${r.method} ${r.url} ${r.code ?? ''} ${r.policies.map((p) => p.name).join(',')}`);
  t.deepEqual(byType('request'), ['forwarded POST http://deathstar/v1/request-landing  rule1', 'dropped PUT http://deathstar/v1/exhaust-port  rule1', 'dropped GET http://deathstar/v1/  rule1']);
  t.deepEqual(byType('response'), ['forwarded POST http://deathstar/v1/request-landing 200 rule1', 'dropped PUT http://deathstar/v1/exhaust-port 403 rule1', 'dropped GET http://deathstar/v1/ 403 rule1']);
  t.true(records.filter((r) => r.type === 'response').every((r) => typeof r.latencyNs === 'number' && r.latencyNs >= 0));
});

test('pipelined requests on one keep-alive connection are judged one by one and answered in order', async (t) => {
  const { port, up } = await setup(t);
  const text = await raw(port, req('POST', '/v1/request-landing') + req('PUT', '/v1/exhaust-port') + req('POST', '/v1/request-landing?x=1') + req('POST', '/v1/request-landing'), answers(4));
  t.deepEqual(statuses(text), [200, 403, 403, 200]);
  t.deepEqual(up.seen.map((s) => `${s.method} ${s.url}`), ['POST /v1/request-landing', 'POST /v1/request-landing']);
});

test('chunked bodies: an allowed one arrives whole, a denied one is never forwarded and the connection goes on', async (t) => {
  const { port, up } = await setup(t);
  const chunked = (method: string, path: string) => `${method} ${path} HTTP/1.1\r\nHost: deathstar\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`;
  const text = await raw(port, chunked('PUT', '/v1/exhaust-port') + chunked('POST', '/v1/request-landing'), answers(2));
  t.deepEqual(statuses(text), [403, 200]);
  t.deepEqual(up.seen.map((s) => `${s.method} ${s.url} ${s.body}`), ['POST /v1/request-landing hello world']);
});

test('paths, methods and hosts match in full; headers by presence or exact value; rules are OR-ed', async (t) => {
  const { port, up } = await setup(t, [
    { method: 'GET', path: '/public/.*' },
    { method: 'GET|HEAD', path: '/admin', headers: ['X-Token: empire', 'X-Trace'] },
    { host: 'api\\.deathstar', path: '/api' },
  ]);
  const cases: [string, number][] = [
    [req('GET', '/public/a/b'), 200],
    [req('GET', '/x/public/a'), 403],
    [req('PATCH', '/public/a'), 403],
    // llhttp knows a fixed set of methods: an unknown one is refused with 400, never forwarded.
    [req('GETX', '/public/a'), 400],
    [req('GET', '/admin', 'X-Token: empire\r\nX-Trace: 1\r\n'), 200],
    [req('GET', '/admin', 'X-Token: empire2\r\nX-Trace: 1\r\n'), 403],
    [req('GET', '/admin', 'X-Token: empire\r\n'), 403],
    [req('GET', '/admin/', 'X-Token: empire\r\nX-Trace: 1\r\n'), 403],
    ['DELETE /api HTTP/1.1\r\nHost: api.deathstar\r\ncontent-length: 0\r\n\r\n', 200],
    ['DELETE /api HTTP/1.1\r\nHost: apiXdeathstar\r\ncontent-length: 0\r\n\r\n', 403],
  ];
  for (const [bytes, want] of cases) t.deepEqual(statuses(await raw(port, bytes, answers(1))), [want], bytes.split('\r\n').join(' | '));
  t.is(up.seen.length, 3);
});

test('a backtracking-prone pattern on a long path answers at once (linear-time regex engine)', async (t) => {
  const { port } = await setup(t, [{ path: '(a+)+b' }]);
  t.deepEqual(statuses(await raw(port, req('GET', `/${'a'.repeat(8000)}`), answers(1))), [403]);
});

test('fails closed: a connection without policy, over the endpoint limit, or not HTTP/1.x is refused and recorded', async (t) => {
  const none = await setup(t, LANDING, { resolve: () => undefined });
  t.is(await raw(none.port, req('POST', '/v1/request-landing'), () => false), '');
  t.is(none.up.seen.length, 0);
  t.like(none.records[0], { verdict: 'dropped', reason: 'no policy for the connection' });

  const lim = await setup(t, LANDING, { maxConnectionsPerEndpoint: 1 });
  const hold = connect(lim.port, '127.0.0.1');
  await new Promise((r) => hold.once('connect', r));
  while (lim.proxy.connections('default/deathstar') === 0) await new Promise((r) => setTimeout(r, 5));
  t.is(await raw(lim.port, req('POST', '/v1/request-landing'), () => false), '');
  t.like(lim.records.at(-1), { verdict: 'dropped', reason: 'proxy connection limit for the endpoint' });
  hold.destroy();

  const h2 = await setup(t);
  t.deepEqual(statuses(await raw(h2.port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', () => false)), [400]);
  t.is(h2.up.seen.length, 0);
  t.like(h2.records[0], { verdict: 'dropped' });
  t.regex(h2.records[0]?.reason ?? '', /^not an HTTP\/1\.x request/);

  const big = await setup(t, LANDING, { maxHeaderBytes: 1024 });
  t.deepEqual(statuses(await raw(big.port, req('POST', '/v1/request-landing', `X-Big: ${'x'.repeat(4096)}\r\n`), () => false)), [431]);
  t.is(big.up.seen.length, 0);
});

test('a traceparent header becomes the flows\' trace_context and, with exemplars=true, the OpenMetrics exemplar of the HTTP metrics', async (t) => {
  const { port, records } = await setup(t);
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const text = await raw(port, req('POST', '/v1/request-landing', `traceparent: 00-${trace}-00f067aa0ba902b7-01\r\n`) + req('POST', '/v1/request-landing', 'traceparent: 00-zz-00f067aa0ba902b7-01\r\n'), answers(2));
  t.deepEqual(statuses(text), [200, 200]);
  // Pipelined: both requests are judged before the first answer comes back.
  const byType = (type: string) => records.filter((r) => r.type === type).map((r) => r.traceId);
  t.deepEqual(byType('request'), [trace, undefined], 'a malformed traceparent gives no trace');
  t.deepEqual(byType('response'), [trace, undefined]);

  const ctx: FlowContext = {
    nodeName: 'node-a', endpointByIp: () => undefined, identityLabels: () => [], serviceOf: () => undefined, namesOf: () => undefined,
    rule: () => undefined, enforcers: () => [], interfaceName: () => undefined, wallTime: () => ({ seconds: 1_764_900_000, nanos: 0 }),
  };
  const flows = records.map((r) => proxyFlow(r, ctx, { direction: 'ingress', clientIdentity: 2, serverIdentity: 300, policy: (p) => ({ ...p, revision: 1 }), monotonicNs: 1n }));
  t.deepEqual(flows.map((f) => f.trace_context?.parent?.trace_id), records.map((r) => r.traceId));
  flows.sort((a, b) => (a.trace_context ? 0 : 1) - (b.trace_context ? 0 : 1)); // traced first: its exemplar must survive the untraced sample after it

  const on = new FlowMetrics('httpV2:exemplars=true', { now: () => 1_764_900_000.5 });
  const off = new FlowMetrics('httpV2');
  for (const f of flows) { on.processFlow(f); off.processFlow(f); }
  const om = on.expose('openmetrics');
  // Two responses counted; the exemplar is the traced one (the last sample had none to give).
  t.regex(om, new RegExp(`^hubble_http_requests_total\\{method="POST",protocol="HTTP/1.1",reporter="server",status="200"\\} 2 # \\{traceID="${trace}"\\} 1 1764900000.5$`, 'm'));
  // The latencies are real: the traced one's bucket (cumulative count 1 or 2) carries it.
  t.regex(om, new RegExp(`^hubble_http_request_duration_seconds_bucket\\{[^}]*le="[^"]+"\\} [12] # \\{traceID="${trace}"\\} [0-9.e-]+ 1764900000.5$`, 'm'));
  t.notRegex(on.expose('text'), /#.*traceID/, 'the text format has no exemplars');
  t.notRegex(off.expose('openmetrics'), /traceID/, 'not asked, not written');
});
