// The README's main command, off a terminal, on a host without bpffs at /sys/fs/bpf (a fresh
// machine): scripts/demo-lab.sh (scripts/demo.sh after its set-up and build) runs in a private
// mount namespace with /sys/fs/bpf unmounted, whatever this machine mounted before. The lab mounts
// its own bpffs; both agents report OK with no bpffs warning (their pins are on a real bpffs) and
// the xwing's requests to the deathstar show as dropped flows.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { labDown } from '../../lab/index.ts';

const LAB = 'e2e-readme';
const root = path.resolve(import.meta.dirname, '../..');

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test.serial('scripts/demo-lab.sh without a tty, in a mount namespace without bpffs: both agents OK, the xwing dropped', async (t) => {
  t.true(existsSync(path.join(root, 'dist/kubectl-netobs')), "dist/kubectl-netobs missing: run 'npm run build' before the tests");
  const script = [
    'while mountpoint -q /sys/fs/bpf && umount -R /sys/fs/bpf; do :; done',
    'echo "bpffs before: $(stat -f -c %t /sys/fs/bpf)"',
    'bash scripts/demo-lab.sh',
    'echo "bpffs after: $(stat -f -c %t /sys/fs/bpf)"',
  ].join('\n');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', script], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NETOBS_DEMO_LAB: LAB },
    timeout: 480_000,
    maxBuffer: 64 << 20,
  });
  t.log(r.stdout.split('\n').filter((l) => /bpffs|netobs in|xwing.*DROPPED|^lab-/.test(l)).slice(0, 12).join('\n'));
  t.is(r.status, 0, r.stderr.slice(-4000));
  t.regex(r.stdout, /^bpffs before: (?!cafe4a11)/m);
  t.regex(r.stdout, /^bpffs after: cafe4a11$/m);
  t.regex(r.stdout, /^netobs in netobs-system: OK$/m);
  const agentRows = r.stdout.split('\n').filter((l) => /^\S+\s+(OK|ERROR)\s+(attached|NOT ATTACHED|-)\s/.test(l));
  t.is(agentRows.length, 2, r.stdout);
  t.true(agentRows.every((l) => /^\S+\s+OK\s+attached\s/.test(l)), agentRows.join('\n'));
  t.notRegex(r.stdout, /warning: node .*bpffs/);
  t.regex(r.stdout, /xwing.*DROPPED/);
});
