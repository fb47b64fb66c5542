// Agent events from the agent's own state, as Hubble agents report theirs: policies, endpoints
// and services are snapshotted after each reconcile and the difference to the previous
// snapshot becomes POLICY_UPDATED/DELETED, ENDPOINT_CREATED/DELETED and SERVICE_UPSERTED/DELETED
// events. Pure: the runtime takes snapshots, this says what changed.
import type { AgentEvent, ServiceAddr } from '../../api/types.ts';
import { AgentEventType } from '../../api/types.ts';
import type { EndpointSliceObject, PolicyObject, ServiceObject } from '../../lib/kube-objects.ts';
import { objectKey, SERVICE_NAME_LABEL } from '../../lib/kube-objects.ts';

export interface PolicySnap { version: string; labels: string[]; ruleCount: number }
export interface EndpointSnap { id: number; labels: string[]; podName: string; namespace: string }
export interface ServiceSnap {
  name: string; namespace: string; type: string; frontend: ServiceAddr; backends: ServiceAddr[];
}

export interface StateSnapshot {
  /** By namespace/name of the policy object (kind included, names may repeat across kinds). */
  policies: Map<string, PolicySnap>;
  endpoints: Map<number, EndpointSnap>;
  /** By frontend `ip:port/proto`: Cilium counts each frontend as a service. */
  services: Map<string, ServiceSnap>;
}

export const emptySnapshot = (): StateSnapshot => ({ policies: new Map(), endpoints: new Map(), services: new Map() });

/** Cilium's labels for a policy that came from a Kubernetes object. */
export function policyLabels(p: PolicyObject): string[] {
  const m = p.metadata;
  return [
    `k8s:io.cilium.k8s.policy.derived-from=${p.kind ?? 'NetworkPolicy'}`,
    `k8s:io.cilium.k8s.policy.name=${m.name}`,
    ...(m.namespace ? [`k8s:io.cilium.k8s.policy.namespace=${m.namespace}`] : []),
    ...(m.uid ? [`k8s:io.cilium.k8s.policy.uid=${m.uid}`] : []),
  ];
}

export function policySnapshot(policies: Iterable<PolicyObject>): Map<string, PolicySnap> {
  const out = new Map<string, PolicySnap>();
  for (const p of policies) {
    const specs = (p as { specs?: unknown }).specs;
    out.set(`${p.kind ?? ''}/${objectKey(p.metadata)}`, {
      version: `${p.metadata.resourceVersion ?? ''}/${p.metadata.generation ?? ''}`,
      labels: policyLabels(p),
      ruleCount: Array.isArray(specs) ? specs.length + ((p as { spec?: unknown }).spec ? 1 : 0) : 1,
    });
  }
  return out;
}

/** One entry per service frontend (cluster IP and port), backends from ready EndpointSlice addresses. */
export function serviceSnapshot(services: Iterable<ServiceObject>, slices: Iterable<EndpointSliceObject>): Map<string, ServiceSnap> {
  const byService = new Map<string, EndpointSliceObject[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata.namespace ?? ''}/${svc}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out = new Map<string, ServiceSnap>();
  for (const svc of services) {
    const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
    const mySlices = byService.get(objectKey(svc.metadata)) ?? [];
    for (const ip of ips) {
      if (ip === 'None') continue;
      for (const port of svc.spec?.ports ?? []) {
        const backends: ServiceAddr[] = [];
        for (const sl of mySlices) {
          const sp = sl.ports?.find((p) => (p.name ?? '') === (port.name ?? ''));
          if (!sp?.port) continue;
          for (const ep of sl.endpoints ?? []) {
            if (ep.conditions?.ready === false) continue;
            for (const a of ep.addresses) backends.push({ ip: a, port: sp.port });
          }
        }
        backends.sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`));
        out.set(`${ip}:${port.port}/${port.protocol ?? 'TCP'}`, {
          name: svc.metadata.name, namespace: svc.metadata.namespace ?? '', type: svc.spec?.type ?? 'ClusterIP',
          frontend: { ip, port: port.port }, backends,
        });
      }
    }
  }
  return out;
}

/** Stable numeric IDs for service frontends, as Cilium numbers its services. */
export class ServiceIds {
  readonly #ids = new Map<string, number>();
  #next = 1;
  id(frontend: string): number {
    let id = this.#ids.get(frontend);
    if (id === undefined) this.#ids.set(frontend, (id = this.#next++));
    return id;
  }
  forget(frontend: string): void {
    this.#ids.delete(frontend);
  }
}

/** The events that lead from one snapshot to the next; `revision` numbers policy changes. */
export function stateEvents(before: StateSnapshot, after: StateSnapshot, ids: ServiceIds, revision: () => number): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const [key, p] of after.policies) {
    if (before.policies.get(key)?.version === p.version) continue;
    out.push({ type: AgentEventType.POLICY_UPDATED, policy_update: { labels: p.labels, revision: revision(), rule_count: p.ruleCount } });
  }
  for (const [key, p] of before.policies) {
    if (after.policies.has(key)) continue;
    out.push({ type: AgentEventType.POLICY_DELETED, policy_update: { labels: p.labels, revision: revision(), rule_count: p.ruleCount } });
  }
  const ep = (type: AgentEventType, e: EndpointSnap): AgentEvent => ({
    type, endpoint_update: { id: e.id, labels: e.labels, pod_name: e.podName, namespace: e.namespace },
  });
  for (const [id, e] of after.endpoints) if (!before.endpoints.has(id)) out.push(ep(AgentEventType.ENDPOINT_CREATED, e));
  for (const [id, e] of before.endpoints) if (!after.endpoints.has(id)) out.push(ep(AgentEventType.ENDPOINT_DELETED, e));
  for (const [key, s] of after.services) {
    if (JSON.stringify(before.services.get(key)) === JSON.stringify(s)) continue;
    out.push({
      type: AgentEventType.SERVICE_UPSERTED,
      service_upsert: {
        id: ids.id(key), frontend_address: s.frontend, backend_addresses: s.backends, type: s.type, name: s.name, namespace: s.namespace,
        ext_traffic_policy: 'Cluster', int_traffic_policy: 'Cluster',
      },
    });
  }
  for (const key of before.services.keys()) {
    if (after.services.has(key)) continue;
    out.push({ type: AgentEventType.SERVICE_DELETED, service_delete: { id: ids.id(key) } });
    ids.forget(key);
  }
  return out;
}
