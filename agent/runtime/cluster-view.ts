// From the agent's cluster state to what the policy compiler and the ipcache read: security
// labels of pods, named ports, services and nodes. Pure.
import type { ClusterState } from '../cluster/state.ts';
import { podSecurityLabels } from '../identity/security-labels.ts';
import type { LabelSet } from '../identity/labels.ts';
import { nodeAddresses, objectKey, SERVICE_NAME_LABEL, type PodObject } from '../../lib/kube-objects.ts';
import type { NamedPort, NodeInfo, ServiceInfo, ServicesView } from '../policy/views.ts';

export function podLabels(state: ClusterState, pod: PodObject, cluster?: string): LabelSet {
  const ns = pod.metadata.namespace ?? 'default';
  return podSecurityLabels({
    namespace: ns,
    podLabels: pod.metadata.labels ?? {},
    namespaceLabels: state.namespaceLabels(ns),
    ...(pod.spec?.serviceAccountName ? { serviceAccount: pod.spec.serviceAccountName } : {}),
    ...(cluster ? { cluster } : {}),
  });
}

export function namedPorts(pod: PodObject): NamedPort[] {
  const out: NamedPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.name) continue;
      const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
      out.push({ name: p.name, port: p.containerPort, protocol });
    }
  }
  return out;
}

export function servicesView(state: ClusterState): ServicesView {
  const byKey = new Map<string, ServiceInfo>();
  const backends = new Map<string, string[]>();
  for (const sl of state.objects.endpointslices.values()) {
    const name = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${sl.metadata.namespace ?? 'default'}/${name}`;
    const ips = backends.get(key) ?? [];
    for (const ep of sl.endpoints ?? []) ips.push(...ep.addresses);
    backends.set(key, ips);
  }
  for (const s of state.objects.services.values()) {
    const key = objectKey({ name: s.metadata.name, namespace: s.metadata.namespace ?? 'default' });
    byKey.set(key, {
      namespace: s.metadata.namespace ?? 'default',
      name: s.metadata.name,
      labels: s.metadata.labels ?? {},
      ...(s.spec?.selector && Object.keys(s.spec.selector).length ? { selector: s.spec.selector } : {}),
      endpointIPs: [...new Set(backends.get(key) ?? [])].sort(),
    });
  }
  const list = [...byKey.values()];
  return { get: (ns, name) => byKey.get(`${ns}/${name}`), list: () => list };
}

export function nodeInfos(state: ClusterState, localNode: string): NodeInfo[] {
  return state.nodes().map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {}, local: n.metadata.name === localNode, addresses: nodeAddresses(n) }));
}
