// The probe role in-process against real local servers: the echo role, a closed port, the test
// DNS responder, and the kernel's own ICMP echo on loopback. Unanswered traffic (what a policy
// drop looks like) is in netns.test.ts, which needs a network namespace of its own.
import test from 'ava';
import net from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEcho } from '../../../roles/echo-server.ts';
import { probeDns } from '../../../connectivity/probe/dns.ts';
import { startDnsServer } from '../../../connectivity/probe/dns-server.ts';
import { probeHttp } from '../../../connectivity/probe/http.ts';
import { probeIcmp } from '../../../connectivity/probe/icmp.ts';
import { probeTcp } from '../../../connectivity/probe/tcp.ts';
import { probeUdp } from '../../../connectivity/probe/udp.ts';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('tcp: connects to the echo server, refused on a closed port, reports the client port', async (t) => {
  const echo = await startEcho({ port: 0, host: '127.0.0.1' });
  try {
    const ok = await probeTcp({ kind: 'tcp', target: `127.0.0.1:${echo.port}`, timeoutMs: 2000 });
    t.true(ok.ok, ok.error);
    t.is(ok.remotePort, echo.port);
    t.true((ok.localPort ?? 0) > 0);
    t.is(ok.localAddress, '127.0.0.1');
    const refused = await probeTcp({ kind: 'tcp', target: `127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    t.false(refused.ok);
    t.is(refused.errorCode, 'refused');
  } finally {
    await echo.close();
  }
});

test('http: status, hostname of the echo pod, method and path', async (t) => {
  const echo = await startEcho({ port: 0, host: '127.0.0.1' });
  try {
    const ok = await probeHttp({ kind: 'http', target: `127.0.0.1:${echo.port}`, timeoutMs: 2000, path: '/status/418', method: 'POST' });
    t.true(ok.ok, ok.error);
    t.is(ok.http?.status, 418);
    t.is(typeof ok.http?.hostname, 'string');
    t.true((ok.localPort ?? 0) > 0);
    const refused = await probeHttp({ kind: 'http', target: `127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    t.is(refused.errorCode, 'refused');
    const badName = await probeHttp({ kind: 'http', target: 'no-such-host.invalid:80', timeoutMs: 2000 });
    t.is(badName.errorCode, 'dns');
  } finally {
    await echo.close();
  }
});

test('udp: echoed by the echo server; a closed port is refused (ICMP port unreachable)', async (t) => {
  const echo = await startEcho({ port: 0, host: '127.0.0.1' });
  try {
    const ok = await probeUdp({ kind: 'udp', target: `127.0.0.1:${echo.port}`, timeoutMs: 2000 });
    t.true(ok.ok, ok.error);
    t.is(ok.remotePort, echo.port);
    t.true((ok.localPort ?? 0) > 0);
  } finally {
    await echo.close();
  }
  const closed = await probeUdp({ kind: 'udp', target: `127.0.0.1:${await freePort()}`, timeoutMs: 1000 });
  t.false(closed.ok);
  t.is(closed.errorCode, 'refused');
});

test('dns: the test responder answers echo.netobs.test; NXDOMAIN and REFUSED otherwise; silence is a timeout', async (t) => {
  const server = await startDnsServer({ port: 0, host: '127.0.0.1', addresses: ['10.0.1.20', 'fd00::20'] });
  const at = `127.0.0.1:${server.port}`;
  try {
    const ok = await probeDns({ kind: 'dns', target: 'echo.netobs.test', server: at, timeoutMs: 2000 });
    t.true(ok.ok, ok.error);
    t.deepEqual(ok.dns, { server: at, rcode: 'NOERROR', answers: ['10.0.1.20'], name: 'echo.netobs.test' });
    t.is(ok.remotePort, server.port);
    const v6 = await probeDns({ kind: 'dns', target: 'echo.netobs.test.', server: at, timeoutMs: 2000, qtype: 'AAAA' });
    t.deepEqual(v6.dns?.answers, ['fd00::20']);
    const nx = await probeDns({ kind: 'dns', target: 'nope.netobs.test', server: at, timeoutMs: 2000 });
    t.false(nx.ok);
    t.is(nx.errorCode, 'dns');
    t.is(nx.dns?.rcode, 'NXDOMAIN');
    const refused = await probeDns({ kind: 'dns', target: 'example.com', server: at, timeoutMs: 2000 });
    t.is(refused.dns?.rcode, 'REFUSED');
  } finally {
    await server.close();
  }
  const silent = await probeDns({ kind: 'dns', target: 'echo.netobs.test', server: `127.0.0.1:${await freePort()}`, timeoutMs: 300 });
  t.false(silent.ok);
  t.true(silent.errorCode === 'timeout' || silent.errorCode === 'refused', silent.error);
});

test('dns: without --server, resolv.conf gives the server and the search list', async (t) => {
  const server = await startDnsServer({ port: 53, host: '127.0.0.53', addresses: ['10.0.1.20'] }).catch((e: Error) => e);
  if (server instanceof Error) {
    // Port 53 needs root; the probe's resolv.conf path cannot carry a port, like glibc's.
    t.true(process.getuid?.() !== 0 && !process.env.CI, `binding 127.0.0.53:53 failed as root: ${server.message}`);
    t.log('skipped: binding port 53 needs root');
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'resolv-'));
  const conf = path.join(dir, 'resolv.conf');
  await writeFile(conf, 'nameserver 127.0.0.53\nsearch svc.cluster.local netobs.test\noptions ndots:5\n');
  try {
    const r = await probeDns({ kind: 'dns', target: 'echo', timeoutMs: 2000 }, { resolvConfPath: conf });
    t.true(r.ok, r.error);
    t.is(r.dns?.name, 'echo.netobs.test', 'NXDOMAIN for echo.svc.cluster.local, then the next search domain');
    t.deepEqual(r.dns?.answers, ['10.0.1.20']);
    t.is(r.dns?.server, '127.0.0.53:53');
  } finally {
    await server.close();
  }
});

test('icmp: loopback answers', async (t) => {
  const ok = await probeIcmp({ kind: 'icmp', target: '127.0.0.1', timeoutMs: 2000 });
  t.true(ok.ok, ok.error);
  t.deepEqual(ok.icmp, { sent: 1, received: 1 });
  t.is(ok.remoteAddress, '127.0.0.1');
});
