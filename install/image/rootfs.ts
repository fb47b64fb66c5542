// The image's root filesystem, gathered from this machine: the binary at /usr/local/bin, the
// shared libraries it and libbpf need (libbpf is opened with dlopen, so ldd of the binary alone
// misses it), /bin/sh and mount for the agent's bpffs init container, and the few files a
// process expects (/tmp, /etc/passwd). The same libraries as the Dockerfile's Debian image.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findLibrary, libraryClosure, type RootfsItem } from './shared-libs.ts';
import type { TarEntry } from './tar.ts';

export const BINARY_PATH = '/usr/local/bin/kubectl-netobs';

export interface RootfsOptions {
  /** The kubectl-netobs executable (or any dynamically linked program standing in for it). */
  binary: string;
  /** Native modules unpacked at run time (koffi.node): only their libraries go in. */
  runtimeModules?: string[];
  /** Libraries opened with dlopen, by soname. */
  dlopenLibraries?: string[];
  /** Programs copied at their host path. */
  programs?: string[];
}

export const DEFAULT_DLOPEN = ['libbpf.so.1'];
export const DEFAULT_PROGRAMS = ['/bin/sh', '/usr/bin/mount'];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nnonroot:x:65532:\n';

/** Directories every entry needs, parents first, so that extracting never depends on implicit parents. */
function parents(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = path.posix.dirname(p); d !== '/'; d = path.posix.dirname(d)) dirs.add(d);
  return [...dirs].sort();
}

export function gatherRootfs(o: RootfsOptions): TarEntry[] {
  const libs = (o.dlopenLibraries ?? DEFAULT_DLOPEN).map(findLibrary);
  const items: RootfsItem[] = libraryClosure([...libs, ...(o.programs ?? DEFAULT_PROGRAMS)], [o.binary, ...(o.runtimeModules ?? [])]);
  const linked = new Set(items.filter((i) => i.kind === 'symlink').map((i) => i.path));
  const entries: TarEntry[] = [
    { type: 'file', path: BINARY_PATH, data: readFileSync(o.binary), mode: 0o755 },
    { type: 'file', path: '/etc/passwd', data: Buffer.from(PASSWD) },
    { type: 'file', path: '/etc/group', data: Buffer.from(GROUP) },
    { type: 'dir', path: '/tmp', mode: 0o1777 },
    { type: 'dir', path: '/home/nonroot', mode: 0o755 },
    { type: 'dir', path: '/run', mode: 0o755 },
    ...items.map((i): TarEntry => (i.kind === 'symlink' ? { type: 'symlink', path: i.path, target: i.target } : { type: 'file', path: i.path, data: readFileSync(i.source), mode: 0o755 })),
  ];
  // A directory that is a symlink on the host (/lib -> usr/lib) must not also be created as one.
  const dirs = parents(entries.map((e) => e.path)).filter((d) => !linked.has(d) && ![...linked].some((l) => d.startsWith(l + '/')));
  const all = [...dirs.map((d): TarEntry => ({ type: 'dir', path: d })), ...entries.filter((e) => !(e.type === 'dir' && dirs.includes(e.path)))];
  // Tar paths are relative; directories first (sorted), then symlinks and files in path order.
  const rank = (e: TarEntry) => (e.type === 'dir' ? 0 : 1);
  return all
    .map((e) => ({ ...e, path: e.path.replace(/^\/+/, '') + (e.type === 'dir' ? '/' : '') }))
    .sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
