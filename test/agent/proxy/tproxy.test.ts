// The proxy behind a real nftables TPROXY redirect (root, netns): a client netns talks to a server
// netns through a "node" netns that diverts server:80 into the proxy. The proxy sees the real
// client and the original server, forwards the allowed request, answers the others 403, and once
// it is gone the port fails closed: nothing reaches the server.
import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tproxyRules } from '../../../agent/proxy/transparent.ts';

const T = `l7t${process.pid % 1000}`;
const N = `${T}n`, C = `${T}c`, S = `${T}s`;
const CLIENT = '10.78.1.2', SERVER = '10.78.2.2', NODE = '10.78.0.1';
const PROXY_PORT = 15001;
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { encoding: 'utf8' });
const inNs = (ns: string, ...args: string[]) => sh('ip', 'netns', 'exec', ns, ...args);

function topology(): void {
  for (const ns of [N, C, S]) sh('ip', 'netns', 'add', ns);
  for (const [ns, dev, ip] of [[C, `${T}c0`, CLIENT], [S, `${T}s0`, SERVER]] as const) {
    sh('ip', 'link', 'add', dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    sh('ip', 'link', 'set', dev, 'netns', N);
    sh('ip', '-n', N, 'link', 'set', dev, 'up');
    sh('ip', '-n', N, 'route', 'add', ip, 'dev', dev);
    inNs(N, 'sysctl', '-qw', `net.ipv4.conf.${dev}.proxy_arp=1`);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', ns, 'addr', 'add', `${ip}/32`, 'dev', 'eth0');
    sh('ip', '-n', ns, 'route', 'add', NODE, 'dev', 'eth0');
    sh('ip', '-n', ns, 'route', 'add', 'default', 'via', NODE, 'dev', 'eth0', 'onlink');
  }
  sh('ip', '-n', N, 'link', 'set', 'lo', 'up');
  sh('ip', '-n', N, 'addr', 'add', `${NODE}/32`, 'dev', 'lo');
  inNs(N, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // By absolute path: npm puts a look-alike `nft` package first on PATH.
  execFileSync('ip', ['netns', 'exec', N, existsSync('/usr/sbin/nft') ? '/usr/sbin/nft' : '/sbin/nft', '-f', '-'], { input: tproxyRules('netobs_l7', 0x200, PROXY_PORT, [{ ip: SERVER, port: 80 }]) });
  sh('ip', '-n', N, 'rule', 'add', 'fwmark', '0x200/0x200', 'lookup', '2004');
  sh('ip', '-n', N, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo', 'table', '2004');
}

function lines(p: ChildProcess): string[] {
  const out: string[] = [];
  let buf = '';
  p.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    out.push(...parts);
  });
  return out;
}
async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 20));
}

const SERVER_JS = "require('http').createServer((q,s)=>{console.log(q.method+' '+q.url+' '+q.socket.remoteAddress);q.resume();q.on('end',()=>s.end('landed\\n'))}).listen(80,'0.0.0.0',()=>console.log('ready'))";

function curl(method: string, path: string): { code: string; body: string } {
  try {
    const out = inNs(C, 'curl', '-s', '-m', '3', '-X', method, '-w', '\n%{http_code}', `http://${SERVER}${path}`);
    const i = out.lastIndexOf('\n');
    return { body: out.slice(0, i), code: out.slice(i + 1) };
  } catch {
    return { code: 'failed', body: '' };
  }
}

test.serial('TPROXY to the policy proxy: real addresses, 403 for denied requests, fails closed without the proxy', async (t) => {
  const procs: ChildProcess[] = [];
  t.teardown(() => {
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of [N, C, S]) {
      try { sh('ip', 'netns', 'del', ns); } catch { /* not created */ }
    }
  });
  topology();
  const server = spawn('ip', ['netns', 'exec', S, process.execPath, '-e', SERVER_JS], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(server);
  const served = lines(server);
  const child = fileURLToPath(new URL('./support/tproxy-child.ts', import.meta.url));
  const proxy = spawn('ip', ['netns', 'exec', N, process.execPath, ...process.execArgv, child, String(PROXY_PORT)], { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(proxy);
  const records = lines(proxy);
  await until(() => served.includes('ready') && records.includes('ready'));

  t.deepEqual(curl('POST', '/v1/request-landing'), { code: '200', body: 'landed\n' });
  t.deepEqual(curl('PUT', '/v1/exhaust-port'), { code: '403', body: 'Access denied\r\n' });
  t.is(curl('GET', '/v1/').code, '403');
  // The server saw only the landing, from the node (the proxy's own connection).
  await until(() => served.length >= 2 && records.length >= 7);
  t.deepEqual(served.filter((l) => l !== 'ready'), [`POST /v1/request-landing ${NODE}`]);
  const recs = records.filter((l) => l !== 'ready').map((l) => JSON.parse(l) as { type: string; verdict: string; method: string; client: { address: string }; server: { address: string; port: number } });
  const requests = recs.filter((r) => r.type === 'request');
  t.deepEqual(requests.map((r) => `${r.verdict} ${r.method}`), ['forwarded POST', 'dropped PUT', 'dropped GET']);
  t.true(requests.every((r) => r.client.address === CLIENT && r.server.address === SERVER && r.server.port === 80), 'the proxy sees the real client and the original server');

  proxy.kill('SIGKILL');
  await new Promise((r) => proxy.once('exit', r));
  for (let i = 0; i < 3; i++) t.not(curl('PUT', '/v1/exhaust-port').code, '200');
  t.not(curl('POST', '/v1/request-landing').code, '200');
  t.deepEqual(served.filter((l) => l !== 'ready'), [`POST /v1/request-landing ${NODE}`], 'nothing reached the server without the proxy');
});
