// Filesystem checks and directory creation that are safe under /sys and /proc: Node's recursive
// mkdir retries forever inside libuv when a pseudo-filesystem answers ENOENT for a child and
// EEXIST for its parent (sysfs's empty /sys/fs/bpf mount point does), so its promise never
// settles. mkdirPath walks the path one component at a time and fails instead.
import { mkdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';

/** statfs f_type of a bpf filesystem (linux/magic.h). */
export const BPF_FS_MAGIC = 0xcafe4a11;

/** Whether `p` lies on a bpffs (by filesystem type, not by path). */
export async function onBpffs(p: string): Promise<boolean> {
  try {
    return (await statfs(p)).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/** Creates `p` and its missing parents with one non-recursive mkdir each; rejects on the first failure. */
export async function mkdirPath(p: string, mode?: number): Promise<void> {
  const abs = path.resolve(p);
  const missing: string[] = [];
  for (let cur = abs; ; cur = path.dirname(cur)) {
    const s = await stat(cur).catch(() => undefined);
    if (s) {
      if (!s.isDirectory()) throw new Error(`create directory ${abs}: ${cur} is not a directory`);
      break;
    }
    missing.unshift(cur);
    if (cur === path.dirname(cur)) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir, mode === undefined ? {} : { mode });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Created meanwhile by someone else: fine when it is a directory now.
      if (code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      throw new Error(`create directory ${abs}: mkdir ${dir}: ${code ?? (e as Error).message}`);
    }
  }
}

/** Runs `work`, rejecting with "<what>: timed out after Ns" when it has not settled by then. */
export function withTimeout<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([work(), deadline]).finally(() => clearTimeout(timer));
}
