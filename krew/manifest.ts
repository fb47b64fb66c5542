// The krew plugin manifest (krew.googlecontainertools.github.com/v1alpha2), rendered from the
// release archives so every sha256 is the one of the file next to it.
import { stringify } from 'yaml';

export type ReleaseOs = 'linux' | 'darwin' | 'windows';
export type ReleaseArch = 'amd64' | 'arm64';

export interface ReleaseArchive {
  os: ReleaseOs;
  arch: ReleaseArch;
  file: string;
  sha256: string;
}

export const RELEASE_BASE_URL = 'https://github.com/netobs/netobs/releases/download';

/** Windows users get a zip; the others a gzipped tar. */
export function archiveName(version: string, a: Pick<ReleaseArchive, 'os' | 'arch'>): string {
  return `kubectl-netobs_v${version}_${a.os}_${a.arch}.${a.os === 'windows' ? 'zip' : 'tar.gz'}`;
}

export function binName(os: ReleaseOs): string {
  return os === 'windows' ? 'kubectl-netobs.exe' : 'kubectl-netobs';
}

const ROSETTA =
  'On macOS the executable is built for Intel (x86_64): Node publishes no arm64 macOS runtime of\n' +
  'this version to the npm registry, so Apple Silicon Macs run it through Rosetta 2\n' +
  '(install it once with: softwareupdate --install-rosetta).\n';

export function krewManifest(version: string, archives: ReleaseArchive[]): string {
  // Apple Silicon gets the Intel archive: one more selector for the same file and checksum.
  const entries = archives.map((a) => ({ selectorArch: a.arch, archive: a }));
  const darwin = archives.find((a) => a.os === 'darwin' && a.arch === 'amd64');
  if (darwin && !archives.some((a) => a.os === 'darwin' && a.arch === 'arm64')) entries.push({ selectorArch: 'arm64', archive: darwin });
  const doc = {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'netobs' },
    spec: {
      version: `v${version}`,
      homepage: 'https://github.com/netobs/netobs',
      shortDescription: 'eBPF network observability and policy enforcement',
      description:
        'netobs installs an eBPF datapath and a node agent on every node, enforces Kubernetes\n' +
        'NetworkPolicies and CiliumNetworkPolicy-shaped policies in the kernel, and shows live flows,\n' +
        'endpoints, BPF maps and policy verdicts (observe, ui). Its flow API and metrics are\n' +
        'compatible with Hubble. `kubectl netobs lab up` gives a local cluster to try it without one\n' +
        '(Linux hosts only; the client commands run on Linux, macOS and Windows).\n' +
        (darwin ? ROSETTA : ''),
      ...(darwin ? { caveats: 'macOS on Apple Silicon: this plugin is an x86_64 executable and runs through Rosetta 2.\nIf macOS says it cannot run it, install Rosetta 2: softwareupdate --install-rosetta\n`lab`, `agent` and the other node roles need Linux; on macOS and Windows use the client commands.\n' } : {}),
      platforms: entries.map(({ selectorArch, archive: a }) => ({
        selector: { matchLabels: { os: a.os, arch: selectorArch } },
        uri: `${RELEASE_BASE_URL}/v${version}/${archiveName(version, a)}`,
        sha256: a.sha256,
        bin: binName(a.os),
        files: [
          { from: binName(a.os), to: '.' },
          { from: 'LICENSE', to: '.' },
        ],
      })),
    },
  };
  return stringify(doc, { lineWidth: 0 });
}
