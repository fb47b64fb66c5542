// The built single executable: it must run alone (no node on PATH, no node_modules) and be found
// by kubectl as a plugin. `npm test` runs after `npm run build`.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');

test.before((t) => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  t.pass();
});

function isolatedCopy(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-exe-'));
  const file = path.join(dir, 'kubectl-netobs');
  copyFileSync(binary, file);
  execFileSync('chmod', ['755', file]);
  return { dir, file };
}

test('runs from an empty directory with an empty PATH', (t) => {
  const { dir, file } = isolatedCopy();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(file, ['version', '-o', 'json'], { cwd: dir, env: { PATH: '' }, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { version: string; commit: string; node: string };
  t.regex(info.version, /^\d+\.\d+\.\d+/);
  t.regex(info.commit, /^([0-9a-f]{7,}|unknown)$/);
  t.regex(info.node, /^v24\./);
});

test('kubectl finds it as a plugin and kubectl netobs --help lists the commands', (t) => {
  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((k) => existsSync(k));
  if (!kubectl) {
    if (process.env.CI) t.fail('kubectl is not installed (scripts/setup.sh installs it)');
    else t.log('skipped: kubectl is not installed');
    return;
  }
  const { dir } = isolatedCopy();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, KUBECONFIG: path.join(dir, 'none') };
  const list = spawnSync(kubectl, ['plugin', 'list'], { env, encoding: 'utf8' });
  t.regex(list.stdout, /kubectl-netobs/);
  const help = spawnSync(kubectl, ['netobs', '--help'], { env, encoding: 'utf8' });
  t.is(help.status, 0, help.stderr);
  t.regex(help.stdout, /kubectl netobs version/);
  t.regex(help.stdout, /kubectl netobs completion/);
});

test('lazily loaded code and the embedded native module (koffi) run from the executable', (t) => {
  const { dir, file } = isolatedCopy();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // probe icmp loads the runtime bundle and sends an echo request through a koffi socket call.
  const r = spawnSync(file, ['probe', 'icmp', '--target', '127.0.0.1', '-o', 'json'], { cwd: dir, env: { PATH: '' }, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.like(JSON.parse(r.stdout) as object, { kind: 'icmp', ok: true });
});
