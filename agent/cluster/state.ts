// The agent's copy of the cluster: the objects of every watched kind, with the indexes the
// datapath sync and the flow enrichment need (pods by IP, services by address). Pure: events
// go in, lookups come out; a revision per kind tells consumers what changed.
import type { ClusterEvent, ResourceKind, ResourceTypes } from '../k8s/source.ts';
import {
  nodeAddresses, objectKey, podHasOwnNetwork, podIPs, SERVICE_NAME_LABEL,
  type EndpointSliceObject, type NamespaceObject, type NodeObject, type PodObject, type ServiceObject,
} from '../../lib/kube-objects.ts';

export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

export class ClusterState {
  readonly objects: { [K in ResourceKind]: Map<string, ResourceTypes[K]> } = {
    pods: new Map(), namespaces: new Map(), nodes: new Map(), services: new Map(), endpointslices: new Map(), policies: new Map(),
  };
  readonly revision: Record<ResourceKind, number> = { pods: 0, namespaces: 0, nodes: 0, services: 0, endpointslices: 0, policies: 0 };
  #podByIp = new Map<string, PodObject>();
  #podIndexRev = -1;
  #svcByAddr = new Map<string, ServiceRef>();
  #svcIndexRev = '';

  /** Applies one event; false when it changed nothing (same resourceVersion). */
  apply(ev: ClusterEvent): boolean {
    const map = this.objects[ev.kind] as Map<string, ResourceTypes[ResourceKind]>;
    const key = ev.kind === 'policies' ? policyKey(ev.obj) : objectKey(ev.obj.metadata);
    if (ev.type === 'delete') {
      if (!map.delete(key)) return false;
    } else {
      const prev = map.get(key);
      const rv = ev.obj.metadata.resourceVersion;
      if (prev && rv !== undefined && prev.metadata.resourceVersion === rv) return false;
      map.set(key, ev.obj);
    }
    this.revision[ev.kind]++;
    return true;
  }

  pod(namespace: string, name: string): PodObject | undefined {
    return this.objects.pods.get(`${namespace}/${name}`);
  }

  namespaceLabels(ns: string): Readonly<Record<string, string>> {
    return (this.objects.namespaces.get(ns) as NamespaceObject | undefined)?.metadata.labels ?? {};
  }

  /** The pod that owns an IP (host-network pods own none). */
  podByIp(ip: string): PodObject | undefined {
    if (this.#podIndexRev !== this.revision.pods) {
      this.#podByIp = new Map();
      for (const p of this.objects.pods.values()) {
        if (!podHasOwnNetwork(p)) continue;
        for (const a of podIPs(p)) {
          // A finished pod's IP may be reused; prefer a running one.
          const cur = this.#podByIp.get(a);
          if (!cur || cur.status?.phase !== 'Running') this.#podByIp.set(a, p);
        }
      }
      this.#podIndexRev = this.revision.pods;
    }
    return this.#podByIp.get(ip);
  }

  /** Pods scheduled on `node` that have their own network. */
  localPods(node: string): PodObject[] {
    return [...this.objects.pods.values()].filter((p) => p.spec?.nodeName === node && podHasOwnNetwork(p));
  }

  /** Every node with its addresses. */
  nodes(): NodeObject[] {
    return [...this.objects.nodes.values()];
  }

  nodeByAddress(ip: string): NodeObject | undefined {
    return this.nodes().find((n) => nodeAddresses(n).includes(ip));
  }

  /** The service an address belongs to: a cluster IP, or `ip:port` of a backend in its EndpointSlices. */
  serviceByAddress(ip: string, port?: number): ServiceRef | undefined {
    const rev = `${this.revision.services}/${this.revision.endpointslices}`;
    if (rev !== this.#svcIndexRev) {
      this.#svcByAddr = indexServices(this.objects.services.values(), this.objects.endpointslices.values());
      this.#svcIndexRev = rev;
    }
    return this.#svcByAddr.get(ip) ?? (port === undefined ? undefined : this.#svcByAddr.get(`${ip}:${port}`));
  }
}

function indexServices(services: Iterable<ServiceObject>, slices: Iterable<EndpointSliceObject>): Map<string, ServiceRef> {
  const out = new Map<string, ServiceRef>();
  for (const s of services) {
    const ref = { namespace: s.metadata.namespace ?? 'default', name: s.metadata.name };
    const ips = s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : []);
    for (const ip of ips) if (ip && ip !== 'None') out.set(ip, ref);
  }
  for (const sl of slices) {
    const name = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const ref = { namespace: sl.metadata.namespace ?? 'default', name };
    for (const ep of sl.endpoints ?? []) {
      for (const a of ep.addresses) for (const p of sl.ports ?? []) if (p.port) out.set(`${a}:${p.port}`, ref);
    }
  }
  return out;
}

/** Policies of different kinds may share a name: key by apiVersion and kind too. */
export function policyKey(o: ResourceTypes['policies']): string {
  return `${o.apiVersion ?? ''}/${o.kind ?? ''}/${objectKey(o.metadata)}`;
}
