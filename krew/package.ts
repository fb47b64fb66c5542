// `npm run package`: release archives for linux/amd64 and linux/arm64 plus krew/netobs.yaml.
// The arm64 executable is built from the arm64 Node and koffi packages of the npm registry; its
// SEA blob carries no start-up snapshot, because a V8 snapshot is only valid on the architecture
// that produced it (it starts a little slower). darwin is not produced: a macOS executable must be code-signed after
// injection, which needs Apple's codesign.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundle, packageVersion, runtimeAssets, type BundleOutput } from '../scripts/bundle.ts';
import { makeSea } from '../scripts/sea.ts';
import { assetFiles, hostKoffiNode } from '../scripts/sea-assets.ts';
import { archiveName, krewManifest, type ReleaseArchive } from './manifest.ts';

const root = path.resolve(import.meta.dirname, '..');
const NODE_VERSION = process.versions.node;
const cache = path.join(root, 'build/cache');

/** Fetches a package tarball from the npm registry (npm pack) and returns its unpacked folder. */
function npmPackage(spec: string, name: string): string {
  const dir = path.join(cache, name);
  if (existsSync(path.join(dir, 'package/package.json'))) return path.join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', path.join(dir, out), '-C', dir]);
  return path.join(dir, 'package');
}

function koffiVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'node_modules/koffi/package.json'), 'utf8')) as { version: string }).version;
}

function binaryFor(arch: 'amd64' | 'arm64', out: BundleOutput, outDir: string): string {
  const native = (arch === 'amd64') === (process.arch === 'x64');
  const nodeBinary = native ? process.execPath : path.join(npmPackage(`node-linux-${arch}@${NODE_VERSION}`, `node-linux-${arch}-${NODE_VERSION}`), 'bin/node');
  const koffiNode = native
    ? hostKoffiNode()
    : path.join(npmPackage(`@koromix/koffi-linux-${arch}@${koffiVersion()}`, `koffi-linux-${arch}-${koffiVersion()}`), `linux_${arch}/koffi.node`);
  const output = path.join(outDir, 'kubectl-netobs');
  makeSea({ bundle: out.cli, nodeBinary, output, assets: { ...assetFiles(koffiNode), ...runtimeAssets(out) }, snapshot: native, workDir: path.join(root, `build/sea-${arch}`) });
  return output;
}

async function main(): Promise<void> {
  const version = packageVersion();
  const releaseDir = path.join(root, 'dist/release');
  rmSync(releaseDir, { recursive: true, force: true });
  mkdirSync(releaseDir, { recursive: true });
  const out = await bundle(path.join(root, 'build/bundle'));
  const archives: ReleaseArchive[] = [];
  for (const arch of ['amd64', 'arm64'] as const) {
    process.stderr.write(`package: linux/${arch}\n`);
    const stage = path.join(root, `build/stage-${arch}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    binaryFor(arch, out, stage);
    copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
    const a = { os: 'linux' as const, arch };
    const file = path.join(releaseDir, archiveName(version, a));
    // Fixed order, owner and mtime so the same inputs give the same archive bytes.
    execFileSync('sh', ['-c', `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "${stage}" -cf - kubectl-netobs LICENSE | gzip -n -6 > "${file}"`]);
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    archives.push({ ...a, file, sha256 });
    process.stderr.write(`package: ${path.relative(root, file)} sha256 ${sha256}\n`);
  }
  writeFileSync(path.join(root, 'krew/netobs.yaml'), krewManifest(version, archives));
  process.stderr.write('package: krew/netobs.yaml\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`package failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
