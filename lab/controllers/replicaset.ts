// ReplicaSets keep `replicas` pods from their template alive.
import type { Api } from '../apiserver/api.ts';
import type { KObject } from '../apiserver/types.ts';
import { controlledBy, isPodDone, isPodReady, isTerminating, ownerRef, recordEvent, setStatus, spec, status, tolerate, type Any } from './util.ts';

/** Pods for a template owned by `owner`: what ReplicaSet, DaemonSet and Job controllers create. */
export function podFromTemplate(owner: KObject, template: Any, extra: { nodeName?: string; labels?: Record<string, string>; tolerations?: unknown[] } = {}): KObject {
  const tpl = structuredClone(template ?? {});
  const podSpec = (tpl['spec'] ?? {}) as Any;
  if (extra.nodeName) podSpec['nodeName'] = extra.nodeName;
  if (extra.tolerations) podSpec['tolerations'] = [...((podSpec['tolerations'] as unknown[]) ?? []), ...extra.tolerations];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(tpl['metadata']?.labels ?? {}), ...(extra.labels ?? {}) },
      ...(tpl['metadata']?.annotations ? { annotations: tpl['metadata'].annotations } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: podSpec,
  };
}

export function reconcileReplicaSets(api: Api): void {
  const rsRt = api.rt('apps', 'replicasets');
  const podsRt = api.rt('', 'pods');
  const allPods = api.list(podsRt, undefined).items;
  for (const rs of api.list(rsRt, undefined).items) {
    if (isTerminating(rs)) continue;
    const pods = allPods.filter((p) => p.metadata.namespace === rs.metadata.namespace && controlledBy(p, rs));
    const active = pods.filter((p) => !isTerminating(p) && !isPodDone(p));
    const want = Number(spec(rs)['replicas'] ?? 1);
    for (let i = active.length; i < want; i++) {
      tolerate(() => {
        const p = api.create(podsRt, rs.metadata.namespace, podFromTemplate(rs, spec(rs)['template']), { manager: 'kube-controller-manager' });
        recordEvent(api, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'replicaset-controller');
      });
    }
    if (active.length > want) {
      // Unscheduled and unready pods go first, then the youngest.
      const victims = [...active]
        .sort((a, b) => rank(a) - rank(b) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))
        .slice(0, active.length - want);
      for (const v of victims) {
        tolerate(() => api.delete(podsRt, v.metadata.namespace, v.metadata.name ?? ''));
        recordEvent(api, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`, 'replicaset-controller');
      }
    }
    const ready = active.filter(isPodReady).length;
    setStatus(api, 'apps', 'replicasets', rs, {
      replicas: Math.min(active.length, Math.max(want, active.length)),
      fullyLabeledReplicas: active.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation,
    }, 'replicaset-controller');
    void status;
  }
}

function rank(p: KObject): number {
  if (!spec(p)['nodeName']) return 0;
  return isPodReady(p) ? 2 : 1;
}
