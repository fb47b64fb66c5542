// The agent role as users start it: `kubectl-netobs agent --config-dir DIR` (from source), here
// with --cluster-file instead of an API server. SIGTERM leaves the pins; `agent shutdown`
// without --if-uninstalling removes them.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { renderConfigData } from '../../../api/config.ts';
import { defaultValues } from '../../../install/values.ts';
import { PodNet, podObject, eventually } from '../runtime/support/pods.ts';
import { stringify } from 'yaml';

const getJson = (socketPath: string, p: string): Promise<unknown> => new Promise((resolve, reject) => {
  http.get({ socketPath, path: p }, (res) => {
    let b = '';
    res.on('data', (d: Buffer) => (b += d.toString()));
    res.on('end', () => resolve(JSON.parse(b)));
  }).on('error', reject);
});

function cli(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import=tsx', 'cmd/main.ts', ...args], { cwd: path.resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
}

test.serial('agent role: serves status from a cluster file, keeps pins on SIGTERM, shutdown removes them', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-role-'));
  const root = '/sys/fs/bpf/netobs-test-role';
  const cfgDir = path.join(dir, 'config');
  mkdirSync(cfgDir);
  const data = { ...renderConfigData(defaultValues('0.0.0-test')), 'bpffs-root': root, 'run-dir': path.join(dir, 'run'), 'tls-enabled': 'false', 'netns-dir': '/var/run/netns',
    'health-port': '0', 'metrics-port': '0', 'flow-metrics-port': '0', 'flow-server-port': '0' };
  for (const [k, v] of Object.entries(data)) writeFileSync(path.join(cfgDir, k), v);
  const net = new PodNet('role', 96);
  const pod = net.add('web', 0);
  writeFileSync(path.join(dir, 'cluster.yaml'), [{ apiVersion: 'v1', kind: 'Pod', ...podObject(pod, 'role-node', { app: 'web' }) }].map((o) => stringify(o)).join('---\n'));
  const agent = cli(['agent', '--config-dir', cfgDir, '--cluster-file', path.join(dir, 'cluster.yaml'), '--node', 'role-node']);
  let stderr = '';
  agent.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => agent.on('exit', resolve));
  try {
    const sock = path.join(dir, 'run', 'agent.sock');
    const st = await eventually(async () => {
      if (!existsSync(sock)) return undefined;
      const s = (await getJson(sock, '/v1/status')) as { endpoints: number; datapath: { attached: number } };
      return s.datapath.attached === 1 ? s : undefined;
    }, 30_000, `agent status (${stderr})`);
    t.like(st, { node: 'role-node', endpoints: 1, kubernetes: { synced: true } });
    t.true(existsSync(path.join(root, 'netobs_policy')));
    agent.kill('SIGTERM');
    t.is(await exited, 0, stderr);
    t.regex(stderr, /programs stay attached, maps stay pinned/);
    t.true(existsSync(path.join(root, 'netobs_endpoint')), 'pins kept across a stop');
    const shut = cli(['agent', 'shutdown', '--config-dir', cfgDir]);
    let out = '';
    shut.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    t.is(await new Promise<number | null>((resolve) => shut.on('exit', resolve)), 0, out);
    t.regex(out, /detached from 1 interfaces, removed pins/, 'only the interface this installation runs on');
    t.false(existsSync(path.join(root, 'netobs_endpoint')));
  } finally {
    if (agent.exitCode === null) agent.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    net.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
