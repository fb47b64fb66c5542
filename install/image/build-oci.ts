// `npm run image`: builds the netobs container image offline, with no registry and no container
// engine: dist/kubectl-netobs plus the libraries it needs, as an OCI image-layout archive at
// dist/netobs-image.oci.tar, tagged netobs/netobs:<version>. Prints the image digest.
// Load it with `skopeo copy oci-archive:dist/netobs-image.oci.tar docker-daemon:netobs/netobs:<v>`,
// `ctr images import`, or `podman load`; push with `skopeo copy ... docker://registry/netobs/netobs:<v>`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildOciImage, ociArchitecture, type OciImage } from './oci-layout.ts';
import { BINARY_PATH, gatherRootfs, type RootfsOptions } from './rootfs.ts';

export interface BuildImageOptions extends RootfsOptions {
  repository: string;
  version: string;
  output: string;
}

export function buildImage(o: BuildImageOptions): OciImage {
  const image = buildOciImage({
    rootfs: gatherRootfs(o),
    architecture: ociArchitecture(process.arch),
    repository: o.repository,
    tag: o.version,
    entrypoint: [BINARY_PATH],
    env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'TMPDIR=/tmp'],
    labels: {
      'org.opencontainers.image.title': 'netobs',
      'org.opencontainers.image.description': 'eBPF network observability and policy enforcement for Kubernetes: every role of kubectl-netobs',
      'org.opencontainers.image.version': o.version,
      'org.opencontainers.image.licenses': 'Apache-2.0',
    },
    ...(process.env.SOURCE_DATE_EPOCH ? { created: new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() } : {}),
  });
  mkdirSync(path.dirname(o.output), { recursive: true });
  writeFileSync(o.output, image.archive);
  return image;
}

async function main(): Promise<void> {
  const root = path.resolve(import.meta.dirname, '../..');
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const { values } = parseArgs({
    options: {
      binary: { type: 'string', default: path.join(root, 'dist/kubectl-netobs') },
      output: { type: 'string', default: path.join(root, 'dist/netobs-image.oci.tar') },
      repository: { type: 'string', default: 'netobs/netobs' },
      version: { type: 'string', default: pkg.version },
    },
  });
  const { hostKoffiNode } = await import('../../scripts/sea-assets.ts');
  const image = buildImage({
    binary: values.binary,
    output: values.output,
    repository: values.repository,
    version: values.version,
    // The executable unpacks koffi.node at run time: its libraries must be in the image too.
    runtimeModules: [hostKoffiNode()],
  });
  const layer = (image.manifest.layers as { size: number }[])[0]!;
  process.stdout.write(
    `image ${values.repository}:${values.version}@${image.manifestDigest}\n` +
      `archive ${path.relative(process.cwd(), values.output)} (${(image.archive.length / 1048576).toFixed(1)} MiB, layer ${(layer.size / 1048576).toFixed(1)} MiB compressed)\n` +
      `use: kubectl netobs install --image ${values.repository}:${values.version} --set image.digest=${image.manifestDigest}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    process.stderr.write(`image: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
