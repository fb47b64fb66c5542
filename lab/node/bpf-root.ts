// Where a lab node's /sys/fs/bpf lives. Lab nodes share the host, so each gets its own directory
// on the host's bpffs (/sys/fs/bpf/netobs-lab-<lab>-<node>), bind-mounted under the node's state
// directory because `ip netns exec` hides the host's /sys from containers. A host without bpffs at
// /sys/fs/bpf (a fresh machine) gets one mounted when the lab runs as root; when that is not
// possible the node falls back to a plain directory (the agent then mounts a private bpffs and
// says so in its status). No recursive mkdir ever runs under /sys (see lib/fs-paths.ts).
import path from 'node:path';
import { mkdirPath, onBpffs, withTimeout } from '../../lib/fs-paths.ts';
import { sh } from './sh.ts';
import { BPF_PIN_ROOT } from './teardown.ts';

export interface BpfRoot {
  /** The directory the node's containers see as /sys/fs/bpf. */
  dir: string;
  /** Whether it is on a bpffs (false: the plain-directory fallback). */
  bpffs: boolean;
  /** Why it is not, for the lab log. */
  note?: string;
}

let hostMount: Promise<string | undefined> | undefined;

/** Mounts bpffs at /sys/fs/bpf once per process when none is there; resolves to an error text when it cannot. */
export function ensureHostBpffs(log: (l: string) => void): Promise<string | undefined> {
  hostMount ??= (async () => {
    if (await onBpffs(BPF_PIN_ROOT)) return undefined;
    if (process.getuid?.() !== 0) return `${BPF_PIN_ROOT} is not a bpffs and the lab is not root`;
    try {
      await withTimeout(`mount bpffs at ${BPF_PIN_ROOT}`, 10_000, () => sh('mount', ['-t', 'bpf', 'bpffs', BPF_PIN_ROOT]));
    } catch (e) {
      return (e as Error).message;
    }
    if (!(await onBpffs(BPF_PIN_ROOT))) return `mount bpffs at ${BPF_PIN_ROOT}: still not a bpffs afterwards`;
    log(`lab: mounted bpffs at ${BPF_PIN_ROOT} (none was mounted on this host)`);
    return undefined;
  })();
  return hostMount;
}

/** Prepares the node's /sys/fs/bpf (idempotent). */
export async function prepareBpfRoot(labName: string, nodeName: string, nodeDir: string, log: (l: string) => void, isMountPoint: (p: string) => Promise<boolean>): Promise<BpfRoot> {
  const alias = path.join(nodeDir, 'bpf');
  await mkdirPath(alias);
  if (await onBpffs(alias)) return { dir: alias, bpffs: true };
  const problem = await ensureHostBpffs(log);
  if (problem) return { dir: alias, bpffs: false, note: problem };
  const hostDir = `${BPF_PIN_ROOT}/netobs-lab-${labName}-${nodeName}`;
  try {
    await withTimeout(`create ${hostDir}`, 10_000, () => mkdirPath(hostDir));
    if (!(await isMountPoint(alias))) await withTimeout(`bind ${hostDir}`, 10_000, () => sh('mount', ['--bind', hostDir, alias]));
  } catch (e) {
    return { dir: alias, bpffs: false, note: (e as Error).message };
  }
  return { dir: alias, bpffs: await onBpffs(alias) };
}
