// The krew plugin manifest (krew.googlecontainertools.github.com/v1alpha2), rendered from the
// release archives so every sha256 is the one of the file next to it.
import { stringify } from 'yaml';

export interface ReleaseArchive {
  os: 'linux' | 'darwin';
  arch: 'amd64' | 'arm64';
  file: string;
  sha256: string;
}

export const RELEASE_BASE_URL = 'https://github.com/netobs/netobs/releases/download';

export function archiveName(version: string, a: Pick<ReleaseArchive, 'os' | 'arch'>): string {
  return `kubectl-netobs_v${version}_${a.os}_${a.arch}.tar.gz`;
}

export function krewManifest(version: string, archives: ReleaseArchive[]): string {
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
        'compatible with Hubble. `kubectl netobs lab up` gives a local cluster to try it without one.\n',
      platforms: archives.map((a) => ({
        selector: { matchLabels: { os: a.os, arch: a.arch } },
        uri: `${RELEASE_BASE_URL}/v${version}/${archiveName(version, a)}`,
        sha256: a.sha256,
        bin: 'kubectl-netobs',
        files: [
          { from: 'kubectl-netobs', to: '.' },
          { from: 'LICENSE', to: '.' },
        ],
      })),
    },
  };
  return stringify(doc, { lineWidth: 0 });
}
