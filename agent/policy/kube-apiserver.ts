// Where the Kubernetes API server is, for the kube-apiserver entity: the addresses of the
// `kubernetes` Service's EndpointSlices in default, placed on this node, on remote nodes or
// outside the cluster. As Cilium does, the ipcache gives remote and external ones the reserved
// kube-apiserver identity (7) while this node's addresses stay `host` (whose identity then also
// counts as kube-apiserver); so 7 is also a remote node when the server runs on one, and world
// (and inside the CIDRs that cover it) when it runs outside the cluster.
import { containsPrefix, parsePrefix, type Prefix } from '../identity/cidr.ts';
import type { NodeInfo, ServicesView } from './views.ts';

export const KUBE_APISERVER_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;

export interface ApiserverPlacement {
  /** The server listens on one of this node's addresses. */
  readonly local: boolean;
  /** Remote nodes it listens on. */
  readonly remoteNodes: ReadonlySet<string>;
  /** Its addresses that are no node's. */
  readonly external: readonly string[];
}

export function kubeApiserverIPs(services: ServicesView | undefined): readonly string[] {
  return services?.get(KUBE_APISERVER_SERVICE.namespace, KUBE_APISERVER_SERVICE.name)?.endpointIPs ?? [];
}

export function placeApiserver(ips: readonly string[], nodes: readonly NodeInfo[]): ApiserverPlacement {
  let local = false;
  const remoteNodes = new Set<string>();
  const external: string[] = [];
  for (const ip of ips) {
    const on = nodes.filter((n) => n.addresses?.includes(ip));
    if (on.length === 0) external.push(ip);
    for (const n of on) {
      if (n.local) local = true;
      else remoteNodes.add(n.name);
    }
  }
  return { local, remoteNodes, external };
}

/** Does the CIDR (minus its excepts) hold an external API server address? */
export function cidrHoldsApiserver(p: ApiserverPlacement, cidr: Prefix, except: readonly Prefix[]): boolean {
  return p.external.some((ip) => {
    const a = parsePrefix(ip);
    return a !== undefined && containsPrefix(cidr, a) && !except.some((e) => containsPrefix(e, a));
  });
}
