// An OCI image (one layer) and its image-layout archive, written by hand: layer tar.gz, config,
// manifest, index.json and oci-layout, each blob named by its sha256. Pure: bytes in, bytes out.
// The manifest digest is the image digest a registry reports after a push, so manifests can pin it.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.ts';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface ImageSpec {
  /** The root filesystem of the single layer. */
  rootfs: TarEntry[];
  /** OCI architecture name: amd64, arm64. */
  architecture: string;
  repository: string;
  tag: string;
  entrypoint: string[];
  env: string[];
  labels: Record<string, string>;
  /** RFC 3339 creation time; omitted by default so that builds are reproducible. */
  created?: string;
}

export interface OciImage {
  manifestDigest: string;
  manifest: Record<string, unknown>;
  config: Record<string, unknown>;
  index: Record<string, unknown>;
  /** digest -> bytes of every blob (layer, config, manifest). */
  blobs: Map<string, Buffer>;
  /** The OCI image-layout as a tar archive (what `oci-archive:` transports read). */
  archive: Buffer;
}

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function ociArchitecture(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const a = map[nodeArch];
  if (!a) throw new Error(`image: no OCI architecture for ${nodeArch}`);
  return a;
}

export function buildOciImage(spec: ImageSpec): OciImage {
  const blobs = new Map<string, Buffer>();
  const put = (bytes: Buffer, mediaType: string): Descriptor => {
    const digest = sha256(bytes);
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const layerTar = writeTar(spec.rootfs);
  // gzip's header holds no name and mtime 0 in Node's zlib: the same tar gives the same blob.
  const layer = put(gzipSync(layerTar, { level: 6 }), MEDIA.layer);
  const config = {
    ...(spec.created ? { created: spec.created } : {}),
    architecture: spec.architecture,
    os: 'linux',
    config: { Entrypoint: spec.entrypoint, Env: spec.env, WorkingDir: '/', Labels: spec.labels },
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ ...(spec.created ? { created: spec.created } : {}), created_by: 'install/image/build-oci.ts', comment: 'binary and the shared libraries it needs' }],
  };
  const configDesc = put(Buffer.from(JSON.stringify(config)), MEDIA.config);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: configDesc,
    layers: [layer],
    annotations: { 'org.opencontainers.image.version': spec.tag },
  };
  const manifestDesc = put(Buffer.from(JSON.stringify(manifest)), MEDIA.manifest);
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [
      {
        ...manifestDesc,
        platform: { architecture: spec.architecture, os: 'linux' },
        annotations: {
          // The tag for OCI-layout tools (skopeo, umoci), the full name for `ctr images import`.
          'org.opencontainers.image.ref.name': spec.tag,
          'io.containerd.image.name': `${spec.repository}:${spec.tag}`,
        },
      },
    ],
  };
  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', path: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    { type: 'dir', path: 'blobs/' },
    { type: 'dir', path: 'blobs/sha256/' },
    ...[...blobs].map(([digest, data]): TarEntry => ({ type: 'file', path: `blobs/sha256/${digest.slice('sha256:'.length)}`, data })),
  ];
  return { manifestDigest: manifestDesc.digest, manifest, config, index, blobs, archive: writeTar(entries) };
}
