// `npm run build:bpf`: compiles bpf/netobs.bpf.c into build/bpf/netobs.bpf.o (BTF kept,
// DWARF stripped, so the embedded asset stays small). Fails with one line naming the
// missing Debian package.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Debian's multiarch include directory for this machine (asm/types.h lives there). */
export function multiarchInclude(machine: string = os.machine()): string {
  const triplet: Record<string, string> = {
    x86_64: 'x86_64-linux-gnu',
    aarch64: 'aarch64-linux-gnu',
    arm64: 'aarch64-linux-gnu',
    riscv64: 'riscv64-linux-gnu',
    ppc64le: 'powerpc64le-linux-gnu',
    s390x: 's390x-linux-gnu',
  };
  return `/usr/include/${triplet[machine] ?? `${machine}-linux-gnu`}`;
}

function has(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Compiles the datapath; `defines` (NAME=VALUE) let tests build variants, e.g. another event layout version. */
export function buildBpf(outDir = path.join(root, 'build/bpf'), defines: string[] = []): string {
  if (!has('clang')) throw new Error('build-bpf: clang not found (apt-get install clang llvm)');
  if (!existsSync('/usr/include/bpf/bpf_helpers.h')) {
    throw new Error('build-bpf: bpf/bpf_helpers.h not found (apt-get install libbpf-dev)');
  }
  const inc = multiarchInclude();
  if (!existsSync(path.join(inc, 'asm/types.h'))) {
    throw new Error(`build-bpf: ${inc}/asm/types.h not found (apt-get install linux-libc-dev)`);
  }
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'netobs.bpf.o');
  const tmp = `${out}.tmp`;
  const cc = spawnSync(
    'clang',
    ['-O2', '-g', '-target', 'bpf', '-Wall', '-Werror', `-I${inc}`, ...defines.map((d) => `-D${d}`), '-c', path.join(root, 'bpf/netobs.bpf.c'), '-o', tmp],
    { encoding: 'utf8' },
  );
  if (cc.status !== 0) {
    throw new Error(`build-bpf: clang failed compiling bpf/netobs.bpf.c\n${cc.stderr}`);
  }
  // DWARF is only for humans; BTF (which libbpf and the layout test need) survives -g.
  if (has('llvm-strip')) execFileSync('llvm-strip', ['-g', tmp]);
  renameSync(tmp, out);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const out = buildBpf();
    process.stderr.write(`build-bpf: ${path.relative(root, out)}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
