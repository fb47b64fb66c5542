// `lab up --demo` through the CLI: the Star Wars demo runs and its ships reach the Death Star
// (--no-netobs: the NetworkPolicy exists but nothing enforces it).
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { run } from '../../cmd/cli.ts';
import { labDown, labInfo } from '../../lab/index.ts';
import { canRunLab, labSerial } from './support/root-only.ts';

const exec = promisify(execFile);
const NAME = 'e2e-demo';
const serial = labSerial('lab demo e2e');

test.after.always(async () => {
  if (canRunLab) await labDown(NAME).catch(() => {});
});

serial('lab up --demo, status, kubeconfig, then down', async (t) => {
  let out = '';
  const io = { out: (s: string) => (out += s), err: (s: string) => (out += s) };
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    t.is(await run(['lab', 'up', '--name', NAME, '--nodes', '1', '--demo', '--no-netobs'], io), 0);
    t.regex(out, /lab "e2e-demo" is up: 1 nodes/);
    out = '';
    t.is(await run(['lab', 'kubeconfig', '--name', NAME], io), 0);
    const kubeconfig = out.trim();
    t.is(kubeconfig, (await labInfo(NAME))!.kubeconfig);
    out = '';
    t.is(await run(['lab', 'status'], io), 0);
    t.regex(out, /^e2e-demo\s+ready\s+1\s+https:\/\/127\.0\.0\.1:\d+/m);

    const k = (...a: string[]) => exec('kubectl', ['--kubeconfig', kubeconfig, ...a], { timeout: 120_000 }).then((r) => r.stdout);
    await k('wait', '--for=condition=Ready', 'pod', '-l', 'org in (empire,alliance)', '--timeout=90s');
    t.regex(await k('get', 'netpol'), /^rule1\s+class=deathstar,org=empire/m);
    const deadline = Date.now() + 60_000;
    let logs = '';
    while (Date.now() < deadline && !/landed/.test(logs)) {
      logs = await k('logs', 'tiefighter').catch(() => '');
      await new Promise((r) => setTimeout(r, 500));
    }
    t.regex(logs, /landed/);

    out = '';
    t.is(await run(['lab', 'down', '--name', NAME], io), 0);
    t.regex(out, /lab "e2e-demo" is down/);
  } finally {
    process.stdout.write = orig;
  }
});
