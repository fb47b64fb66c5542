// Builds the image with this Node binary standing in for kubectl-netobs (the same library
// gathering: it is the runtime the single executable is made of), then reads the OCI archive back
// and checks every digest, and runs the binary and /bin/sh from the layer under chroot.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildImage } from '../../../install/image/build-oci.ts';
import { MEDIA, sha256, type Descriptor } from '../../../install/image/oci-layout.ts';
import { readTar, type TarEntry } from '../../../install/image/tar.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'netobs-image-'));
const output = path.join(dir, 'image.oci.tar');
const image = buildImage({ binary: process.execPath, output, repository: 'netobs/netobs', version: '9.9.9-test' });
const archive = readTar(readFileSync(output));
const blob = (digest: string): Buffer => {
  const e = archive.find((x) => x.path === `blobs/sha256/${digest.slice(7)}`);
  if (!e || e.type !== 'file') throw new Error(`blob ${digest} missing`);
  return Buffer.from(e.data);
};
const json = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>;

test('the layout has oci-layout, index.json and content-addressed blobs', (t) => {
  const file = (p: string) => archive.find((x): x is Extract<TarEntry, { type: 'file' }> => x.path === p && x.type === 'file')!;
  t.deepEqual(json(Buffer.from(file('oci-layout').data)), { imageLayoutVersion: '1.0.0' });
  for (const e of archive.filter((x) => x.type === 'file' && x.path.startsWith('blobs/'))) {
    t.is(sha256((e as { data: Uint8Array }).data), `sha256:${e.path.slice('blobs/sha256/'.length)}`, e.path);
  }
  const index = json(Buffer.from(file('index.json').data)) as { manifests: (Descriptor & { annotations: Record<string, string> })[] };
  t.is(index.manifests.length, 1);
  const m = index.manifests[0]!;
  t.is(m.mediaType, MEDIA.manifest);
  t.is(m.digest, image.manifestDigest);
  t.is(m.size, blob(m.digest).length);
  t.is(m.annotations['org.opencontainers.image.ref.name'], '9.9.9-test');
  t.is(m.annotations['io.containerd.image.name'], 'netobs/netobs:9.9.9-test');
});

test('manifest, config and layer descriptors match their blobs; diff_id matches the uncompressed layer', (t) => {
  const manifest = json(blob(image.manifestDigest)) as { config: Descriptor; layers: Descriptor[] };
  t.is(manifest.config.size, blob(manifest.config.digest).length);
  t.is(manifest.config.mediaType, MEDIA.config);
  const config = json(blob(manifest.config.digest)) as { architecture: string; os: string; config: { Entrypoint: string[] }; rootfs: { diff_ids: string[] } };
  t.is(config.os, 'linux');
  t.is(config.architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  t.deepEqual(config.config.Entrypoint, ['/usr/local/bin/kubectl-netobs']);
  const [layer] = manifest.layers;
  t.is(layer!.mediaType, MEDIA.layer);
  const gz = blob(layer!.digest);
  t.is(gz.length, layer!.size);
  t.is(sha256(gunzipSync(gz)), config.rootfs.diff_ids[0]!);
});

const rootfs = readTar(gunzipSync(image.blobs.get((image.manifest.layers as Descriptor[])[0]!.digest)!));

test('the layer holds the binary, the loader, libc, libbpf and its dependencies, /bin/sh and mount', (t) => {
  const paths = new Set(rootfs.map((e) => e.path));
  const bin = rootfs.find((e) => e.path === 'usr/local/bin/kubectl-netobs');
  t.true(bin?.type === 'file' && Buffer.from(bin.data).equals(readFileSync(process.execPath)));
  t.is(bin?.type === 'file' ? bin.mode : 0, 0o755);
  for (const p of ['lib64', 'lib', 'bin', 'tmp/', 'etc/passwd']) t.true(paths.has(p), p);
  const names = rootfs.map((e) => path.posix.basename(e.path));
  for (const lib of ['ld-linux-x86-64.so.2', 'libc.so.6', 'libbpf.so.1', 'libelf.so.1', 'libz.so.1', 'sh', 'mount']) {
    if (lib.startsWith('ld-linux') && process.arch !== 'x64') continue;
    t.true(names.includes(lib), lib);
  }
  // Directories come before what they contain.
  const firstFile = rootfs.findIndex((e) => e.type !== 'dir');
  t.true(rootfs.slice(firstFile).every((e) => e.type !== 'dir'));
});

test('rebuilding gives the same digest', (t) => {
  const again = buildImage({ binary: process.execPath, output: path.join(dir, 'again.tar'), repository: 'netobs/netobs', version: '9.9.9-test' });
  t.is(again.manifestDigest, image.manifestDigest);
});

// chroot needs root; CI runs as root, so this runs there.
const asRoot = process.getuid?.() === 0 ? test : test.skip;
asRoot('the binary, /bin/sh, mount and libbpf resolve inside the image root alone (chroot)', (t) => {
  const root = path.join(dir, 'rootfs');
  mkdirSync(root);
  const layer = path.join(dir, 'layer.tar.gz');
  writeFileSync(layer, image.blobs.get((image.manifest.layers as Descriptor[])[0]!.digest)!);
  execFileSync('tar', ['-xzf', layer, '-C', root]);
  const inRoot = (...args: string[]) => execFileSync('/usr/sbin/chroot', [root, ...args], { encoding: 'utf8', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
  t.is(inRoot('/usr/local/bin/kubectl-netobs', '-e', 'process.stdout.write(String(6 * 7))'), '42');
  t.is(inRoot('/bin/sh', '-c', 'echo ok'), 'ok\n');
  t.regex(inRoot('/usr/bin/mount', '--version'), /util-linux/);
  // The dynamic loader's own --list is ldd: every dependency of libbpf must resolve in the image.
  const loader = process.arch === 'x64' ? '/lib64/ld-linux-x86-64.so.2' : '/lib/ld-linux-aarch64.so.1';
  const libbpf = rootfs.find((e) => e.path.endsWith('/libbpf.so.1'))!.path;
  const listed = inRoot(loader, '--list', `/${libbpf}`);
  t.notRegex(listed, /not found/);
  t.regex(listed, /libelf\.so\.1 => /);
});
