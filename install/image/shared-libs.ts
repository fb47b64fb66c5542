// Which files a dynamically linked program needs at run time: its shared libraries (from ldd,
// recursively through the libraries opened later with dlopen, such as libbpf), the dynamic loader,
// and the symlinks that lead to them. Parsing is pure; running ldd and ldconfig is the effect.
import { execFileSync } from 'node:child_process';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Library paths and the loader from `ldd` output; `linux-vdso` has no file. Throws on "not found". */
export function parseLdd(output: string): string[] {
  const out: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('linux-vdso') || line.startsWith('linux-gate') || line === 'statically linked') continue;
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`ldd: ${missing[1]} not found`);
    const arrow = /=> (\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    const direct = /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    const p = arrow?.[1] ?? direct?.[1];
    if (p) out.push(p);
  }
  return out;
}

/** The path `ldconfig -p` gives for a soname, for this machine's architecture. */
export function parseLdconfig(output: string, soname: string, arch: string = process.arch): string | undefined {
  // On 64-bit hosts an entry without the tag ("(libc6)") is the 32-bit multiarch copy.
  const archTag = arch === 'x64' ? 'x86-64' : arch === 'arm64' ? 'AArch64' : undefined;
  for (const raw of output.split('\n')) {
    const m = /^\s*(\S+) \(([^)]*)\) => (\/\S+)$/.exec(raw);
    if (m && m[1] === soname && (archTag === undefined || m[2]!.includes(archTag))) return m[3];
  }
  return undefined;
}

export function ldd(file: string): string[] {
  try {
    return parseLdd(execFileSync('ldd', [file], { encoding: 'utf8' }));
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    // ldd exits 1 for static executables and prints "not a dynamic executable".
    if (/not a dynamic executable|statically linked/.test(out + String((err as { stderr?: string }).stderr ?? ''))) return [];
    throw err;
  }
}

export function findLibrary(soname: string): string {
  const p = parseLdconfig(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }), soname);
  if (!p) throw new Error(`${soname} not found by ldconfig -p (install it, e.g. apt-get install -y libbpf1)`);
  return p;
}

/** A file to copy (real path) or a symlink to recreate, as the image will hold it. */
export type RootfsItem = { kind: 'file'; path: string; source: string } | { kind: 'symlink'; path: string; target: string };

/**
 * Files at their host paths: `include` (e.g. libbpf.so.1, /bin/sh) and every library that they and
 * `scanOnly` (programs placed elsewhere in the image, or unpacked at run time like koffi.node)
 * load, recursively; with the symlink chain from each referenced name to its real file, including
 * the host's top-level directory symlinks (/lib -> usr/lib on merged-/usr systems).
 */
export function libraryClosure(include: string[], scanOnly: string[] = []): RootfsItem[] {
  const items = new Map<string, RootfsItem>();
  const seen = new Set<string>();
  const queue = [...include, ...scanOnly];
  const addChain = (p: string): void => {
    // Walk the path component by component, recording each symlink met on the way.
    const parts = path.resolve(p).split('/').filter(Boolean);
    let cur = '/';
    for (const part of parts) {
      const next = path.join(cur, part);
      const st = lstatSync(next);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(next);
        items.set(next, { kind: 'symlink', path: next, target });
        addChain(path.resolve(cur, target));
        cur = realpathSync(next);
      } else cur = next;
    }
    if (lstatSync(cur).isFile()) items.set(cur, { kind: 'file', path: cur, source: cur });
  };
  for (const f of include) addChain(f);
  while (queue.length) {
    const f = queue.shift()!;
    const real = realpathSync(f);
    if (seen.has(real)) continue;
    seen.add(real);
    for (const lib of ldd(real)) {
      addChain(lib);
      queue.push(lib);
    }
  }
  return [...items.values()].sort((a, b) => a.path.localeCompare(b.path));
}
