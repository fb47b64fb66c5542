// The probe command as connectivity tests run it: a separate process inside a network namespace
// (as exec in a pod is), talking to the echo and dns-server roles in that namespace, and to an
// address that swallows every packet, which is what a policy drop looks like from the client.
// Needs root for the namespace.
import test from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { selfCommand } from '../../../lib/self-exec.ts';
import type { ProbeResult } from '../../../connectivity/framework/types.ts';

const run = promisify(execFile);
const NS = `nbo-probe-${process.pid}`;
const SWALLOW = '10.99.0.2'; // sent to a MAC nobody has: no answer, ever
const ROOT = process.getuid?.() === 0;

const ip = (...args: string[]) => run('ip', args);
let servers: ChildProcess[] = [];

async function inNs(args: string[]): Promise<{ result: ProbeResult; exitCode: number; stderr: string }> {
  const self = selfCommand(args);
  try {
    const { stdout, stderr } = await run('ip', ['netns', 'exec', NS, self.file, ...self.args]);
    return { result: JSON.parse(stdout) as ProbeResult, exitCode: 0, stderr };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { result: JSON.parse(e.stdout) as ProbeResult, exitCode: e.code, stderr: e.stderr };
  }
}

function serve(args: string[]): ChildProcess {
  const self = selfCommand(args);
  const p = spawn('ip', ['netns', 'exec', NS, self.file, ...self.args], { stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push(p);
  return p;
}

/** Resolves once the role printed its ready line on stderr. */
const ready = (p: ChildProcess, re: RegExp) =>
  new Promise<void>((resolve, reject) => {
    let err = '';
    p.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (re.test(err)) resolve();
    });
    p.once('exit', (code) => reject(new Error(`role exited ${code}: ${err}`)));
  });

if (ROOT) {
  test.before(async () => {
    await ip('netns', 'add', NS);
    await ip('-n', NS, 'link', 'set', 'lo', 'up');
    // v0 carries 10.99.0.1/24; frames for 10.99.0.2 go to a MAC nobody has and v1 (the peer)
    // discards them as meant for another host: the packet vanishes without any answer.
    await ip('-n', NS, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    await ip('-n', NS, 'addr', 'add', '10.99.0.1/24', 'dev', 'v0');
    await ip('-n', NS, 'link', 'set', 'v0', 'up');
    await ip('-n', NS, 'link', 'set', 'v1', 'up');
    await ip('-n', NS, 'neigh', 'add', SWALLOW, 'lladdr', '02:00:00:00:99:02', 'dev', 'v0', 'nud', 'permanent');
    const echo = serve(['echo', '--port', '8080']);
    const dns = serve(['probe', 'dns-server', '--port', '53']);
    await Promise.all([ready(echo, /serving HTTP and UDP/), ready(dns, /answering on UDP port 53/)]);
  });
  test.after.always(async () => {
    for (const p of servers) p.kill('SIGTERM');
    servers = [];
    await ip('netns', 'del', NS).catch(() => {});
  });
} else if (process.env.CI) {
  test('network namespaces need root', (t) => t.fail('CI runs as root'));
}

const t_ = ROOT ? test.serial : test.skip;

t_('answered probes succeed and exit 0', async (t) => {
  for (const [kind, target] of [['tcp', '127.0.0.1:8080'], ['http', '127.0.0.1:8080'], ['udp', '127.0.0.1:8080'], ['icmp', '10.99.0.1']] as const) {
    const { result, exitCode } = await inNs(['probe', kind, '--target', target, '-o', 'json']);
    t.true(result.ok, `${kind}: ${result.error}`);
    t.is(exitCode, 0);
  }
  const { result } = await inNs(['probe', 'http', '--target', '127.0.0.1:8080', '--path', '/status/503', '-o', 'json']);
  t.is(result.http?.status, 503);
});

t_('the namespace DNS responder answers echo.netobs.test with the namespace address', async (t) => {
  const { result } = await inNs(['probe', 'dns', '--target', 'echo.netobs.test', '--server', '127.0.0.1:53', '-o', 'json']);
  t.true(result.ok, result.error);
  t.deepEqual(result.dns?.answers, ['10.99.0.1']);
});

t_('swallowed traffic is a timeout, exit code 1, with the client port known for tcp, http, udp, dns', async (t) => {
  const cases = [
    ['tcp', `${SWALLOW}:8080`], ['http', `${SWALLOW}:8080`], ['udp', `${SWALLOW}:8080`], ['icmp', SWALLOW],
  ] as const;
  for (const [kind, target] of cases) {
    const { result, exitCode, stderr } = await inNs(['probe', kind, '--target', target, '--timeout', '600ms', '-o', 'json']);
    t.false(result.ok, kind);
    t.is(result.errorCode, 'timeout', `${kind}: ${result.error}`);
    t.is(exitCode, 1);
    t.regex(stderr, new RegExp(`error: probe ${kind} ${target.replace(/\./g, '\\.')}: timeout after 600ms`));
    if (kind !== 'icmp') t.true((result.localPort ?? 0) > 0, `${kind} reports its client port`);
  }
  const { result } = await inNs(['probe', 'dns', '--target', 'echo.netobs.test', '--server', SWALLOW, '--timeout', '600ms', '-o', 'json']);
  t.is(result.errorCode, 'timeout');
  t.true((result.localPort ?? 0) > 0);
});
