// Datapath.open tells whether it had to mount bpffs itself: on a host without bpffs (simulated by
// a private mount namespace with /sys/fs/bpf unmounted) it mounts one and reports where, which is
// what the agent turns into its "pins do not survive a restart" warning; with bpffs already
// mounted it reports nothing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../lib/assets.ts';

const child = `
import { Datapath } from './bpf/loader/index.ts';
const dp = Datapath.open({ bpffsRoot: '/sys/fs/bpf/netobs-test-mounted-here-' + process.pid });
console.log(JSON.stringify({ mounted: dp.bpffsMountedHere ?? null, root: dp.bpffsRoot }));
dp.close();
`;

function openIn(prelude: string): { mounted: string | null; root: string } {
  const script = `${prelude}\nexec "${process.execPath}" --import tsx --input-type=module -e "$0"`;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script, child], { cwd: repoRoot(), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { mounted: string | null; root: string };
}

test('without bpffs at /sys/fs/bpf, open mounts one and says where', (t) => {
  const r = openIn('umount -R /sys/fs/bpf 2>/dev/null || true');
  t.is(r.mounted, '/sys/fs/bpf');
  t.regex(r.root, /^\/sys\/fs\/bpf\/netobs-test-mounted-here-\d+$/);
});

test('with bpffs already at /sys/fs/bpf, open reports no mount of its own', (t) => {
  const r = openIn('umount -R /sys/fs/bpf 2>/dev/null || true; mount -t bpf bpffs /sys/fs/bpf');
  t.is(r.mounted, null);
});
