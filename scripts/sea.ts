// Turns the bundle into a Node single executable: blob from `node --experimental-sea-config`,
// injected with postject into a copy of the pinned Node binary for the target platform.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const SENTINEL = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface SeaOptions {
  bundle: string;
  nodeBinary: string;
  output: string;
  assets: Record<string, string>;
  /** A V8 startup snapshot (of the loaded CLI) is only valid for the platform that made it. */
  snapshot: boolean;
  workDir: string;
  /** The format of nodeBinary: Mach-O needs its own segment for the blob (default elf). */
  format?: 'elf' | 'pe' | 'macho';
  /**
   * The Node that writes the blob. The blob's layout is Node's own, so it is written by a Node of
   * the target's exact version (a Linux build of it for a cross target); default: this Node.
   */
  blobNode?: string;
}

export function makeSea(o: SeaOptions): void {
  mkdirSync(o.workDir, { recursive: true });
  mkdirSync(path.dirname(o.output), { recursive: true });
  for (const [name, file] of Object.entries(o.assets)) {
    if (!existsSync(file)) throw new Error(`sea: asset ${name} missing at ${file}`);
  }
  const blob = path.join(o.workDir, 'sea-prep.blob');
  const config = path.join(o.workDir, 'sea-config.json');
  // A code cache, like a snapshot, is V8 data of the platform that wrote it: only for native builds.
  writeFileSync(
    config,
    JSON.stringify({ main: o.bundle, output: blob, disableExperimentalSEAWarning: true, useSnapshot: o.snapshot, useCodeCache: false, assets: o.assets }, null, 2),
  );
  quiet([o.blobNode ?? process.execPath, '--experimental-sea-config', config]);
  rmSync(o.output, { force: true });
  copyFileSync(o.nodeBinary, o.output);
  chmodSync(o.output, 0o755);
  const postject = path.resolve(import.meta.dirname, '../node_modules/postject/dist/cli.js');
  const macho = o.format === 'macho' ? ['--macho-segment-name', 'NODE_SEA'] : [];
  quiet([process.execPath, postject, o.output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SENTINEL, ...macho]);
}

/** Runs a tool and shows its chatter (postject warns about ELF note names) only when it fails. */
function quiet([file, ...args]: string[]): void {
  try {
    execFileSync(file!, args, { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
    throw err;
  }
}
