// bpffs: where maps and programs are pinned so they outlive the agent process.
import { mkdirSync, existsSync, statfsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { lastErrno, loadLibc } from './libbpf.ts';
import { errnoName } from './errors.ts';
import { BPF_FS_MAGIC } from '../../lib/fs-paths.ts';

export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf/netobs';

function nearestExisting(p: string): string {
  let cur = path.resolve(p);
  while (!existsSync(cur)) cur = path.dirname(cur);
  return cur;
}

export function isBpffs(p: string): boolean {
  try {
    return statfsSync(p).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/**
 * Makes `root` a directory on a bpffs: mounts bpffs at /sys/fs/bpf (or at `root` itself
 * when it is elsewhere) if none is mounted there yet. Returns the root, and where this process
 * mounted bpffs itself (undefined when one was there already).
 */
export function ensureBpffsMount(root: string): { root: string; mounted?: string } {
  const abs = path.resolve(root);
  let mounted: string | undefined;
  if (!isBpffs(nearestExisting(abs))) {
    const target = abs.startsWith('/sys/fs/bpf/') || abs === '/sys/fs/bpf' ? '/sys/fs/bpf' : abs;
    // sysfs provides /sys/fs/bpf itself; a recursive mkdir on sysfs can spin forever (lib/fs-paths.ts).
    if (!existsSync(target)) mkdirSync(target, { recursive: !target.startsWith('/sys/') });
    if (loadLibc().mount('bpffs', target, 'bpf', 0, null) !== 0) {
      throw new Error(`mount bpffs at ${target}: ${errnoName(lastErrno())} (run as root, or mount -t bpf bpffs ${target})`);
    }
    mounted = target;
  }
  mkdirSync(abs, { recursive: true });
  return { root: abs, ...(mounted ? { mounted } : {}) };
}

export function unlinkIfExists(p: string): void {
  try {
    unlinkSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Removes every pin under root, and root itself. */
export function removePins(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) rmSync(path.join(root, name), { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}
