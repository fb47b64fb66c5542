// `npm run bench:l7`: what the L7 proxy (agent/proxy) costs an HTTP request, against the same
// requests sent straight to the server in the same run. Server and proxy run in their own
// processes (as the pod's server and the agent do); the client runs here. For keep-alive and
// new-connection-per-request: requests/s at 8 concurrent clients, and p50/p99 latency with one.
// The proxy judges every request against a Star Wars rule set (the request allowed is the last
// of three rules). What is not measured: the datapath redirect (nftables TPROXY) in front of it.
// Last line: one JSON object with the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HttpPolicyProxy } from '../agent/proxy/http-proxy.ts';
import { compileHttpRule } from '../agent/proxy/http-rules.ts';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function serveUpstream(): Promise<void> {
  const srv = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ship landed\n'));
  });
  srv.keepAliveTimeout = 60_000;
  srv.listen(0, '127.0.0.1', () => process.send!((srv.address() as AddressInfo).port));
}

async function serveProxy(upstreamPort: number): Promise<void> {
  const rules = [{ method: 'GET', path: '/v1/' }, { method: 'PUT', path: '/v1/exhaust-port', headers: ['X-Has-Force'] }, { method: 'POST', path: '/v1/request-landing' }].map(compileHttpRule);
  const proxy = new HttpPolicyProxy({
    resolve: () => ({ endpoint: 'default/deathstar', upstream: { host: '127.0.0.1', port: upstreamPort }, allow: [{ policy: { kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'rule1' }, rules }] }),
    onRecord: () => {},
  });
  const l = createServer((s) => proxy.handle(s));
  l.listen(0, '127.0.0.1', () => process.send!((l.address() as AddressInfo).port));
}

function child(args: string[]): Promise<[ChildProcess, number]> {
  const c = spawn(process.execPath, [...process.execArgv, SELF, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    c.once('message', (port) => resolve([c, Number(port)]));
    c.once('exit', (code) => reject(new Error(`bench l7: ${args[0]} exited with ${code}`)));
  });
}

function once(port: number, agent: Agent | false): Promise<number> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/request-landing', agent, headers: { host: 'deathstar', 'content-length': 0 } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`bench l7: status ${res.statusCode}`));
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
    });
    r.on('error', reject);
    r.end();
  });
}

/** Requests/s with `clients` loops for `seconds`. */
async function rate(port: number, keepAlive: boolean, clients: number, seconds: number): Promise<number> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: clients }) : false;
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      await once(port, agent);
      n++;
    }
  }));
  if (agent) agent.destroy();
  return n / seconds;
}

async function latencies(port: number, keepAlive: boolean, count: number): Promise<{ p50: number; p99: number }> {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const xs: number[] = [];
  for (let i = 0; i < count; i++) xs.push(await once(port, agent));
  if (agent) agent.destroy();
  xs.sort((a, b) => a - b);
  return { p50: xs[Math.floor(xs.length * 0.5)]!, p99: xs[Math.floor(xs.length * 0.99)]! };
}

async function main(): Promise<void> {
  const [up, upPort] = await child(['upstream']);
  const [px, pxPort] = await child(['proxy', String(upPort)]);
  try {
    const out: Record<string, number> = {};
    for (const keepAlive of [true, false]) {
      const tag = keepAlive ? 'keepalive' : 'newconn';
      await rate(upPort, keepAlive, 4, 0.5); // warm-up, both paths
      await rate(pxPort, keepAlive, 4, 0.5);
      const direct = await rate(upPort, keepAlive, 8, SECONDS);
      const proxied = await rate(pxPort, keepAlive, 8, SECONDS);
      const ld = await latencies(upPort, keepAlive, 2000);
      const lp = await latencies(pxPort, keepAlive, 2000);
      out[`${tag}_direct_rps`] = Math.round(direct);
      out[`${tag}_proxy_rps`] = Math.round(proxied);
      out[`${tag}_rps_ratio`] = Number((proxied / direct).toFixed(2));
      out[`${tag}_added_p50_ms`] = Number((lp.p50 - ld.p50).toFixed(3));
      out[`${tag}_added_p99_ms`] = Number((lp.p99 - ld.p99).toFixed(3));
      console.log(`${tag}: direct ${Math.round(direct)} req/s, through the proxy ${Math.round(proxied)} req/s (${((proxied / direct) * 100).toFixed(0)} %); latency p50 ${ld.p50.toFixed(3)} -> ${lp.p50.toFixed(3)} ms, p99 ${ld.p99.toFixed(3)} -> ${lp.p99.toFixed(3)} ms`);
    }
    console.log(JSON.stringify(out));
  } finally {
    px.kill();
    up.kill();
  }
}

const [role, arg] = process.argv.slice(2);
if (role === 'upstream') await serveUpstream();
else if (role === 'proxy') await serveProxy(Number(arg));
else await main();
