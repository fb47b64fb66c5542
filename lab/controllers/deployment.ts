// Deployments own one ReplicaSet per pod template (named by its pod-template-hash); the current
// one gets the replicas, older ones are scaled down once the new pods are ready.
import type { Api } from '../apiserver/api.ts';
import type { KObject } from '../apiserver/types.ts';
import { controlledBy, isTerminating, nowIso, ownerRef, recordEvent, setStatus, shortHash, spec, status, tolerate, type Any } from './util.ts';

export function reconcileDeployments(api: Api): void {
  const depRt = api.rt('apps', 'deployments');
  const rsRt = api.rt('apps', 'replicasets');
  const allRs = api.list(rsRt, undefined).items;
  for (const d of api.list(depRt, undefined).items) {
    if (isTerminating(d)) continue;
    const ds = spec(d);
    const want = Number(ds['replicas'] ?? 1);
    const owned = allRs.filter((r) => r.metadata.namespace === d.metadata.namespace && controlledBy(r, d));
    const tpl = structuredClone(ds['template'] ?? {}) as Any;
    const hash = shortHash(tpl);
    const name = `${d.metadata.name}-${hash}`;
    let current = owned.find((r) => r.metadata.name === name);
    const revision = Math.max(0, ...owned.map((r) => Number(r.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0)));
    if (!current) {
      tpl['metadata'] = { ...(tpl['metadata'] ?? {}), labels: { ...(tpl['metadata']?.labels ?? {}), 'pod-template-hash': hash } };
      const rs: KObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: d.metadata.namespace,
          labels: { ...(tpl['metadata'].labels as Record<string, string>) },
          annotations: { 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + 1), 'deployment.kubernetes.io/revision': String(revision + 1) },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas: want,
          selector: { ...(ds['selector'] ?? {}), matchLabels: { ...(ds['selector']?.matchLabels ?? {}), 'pod-template-hash': hash } },
          template: tpl,
        },
      };
      tolerate(() => {
        current = api.create(rsRt, d.metadata.namespace, rs, { manager: 'kube-controller-manager' });
        recordEvent(api, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} to ${want}`, 'deployment-controller');
      });
      if (!current) continue;
    } else if (Number(spec(current)['replicas']) !== want) {
      const from = Number(spec(current)['replicas']);
      tolerate(() => api.patch(rsRt, current!.metadata.namespace, name, 'merge', { spec: { replicas: want } }, { manager: 'kube-controller-manager' }));
      recordEvent(api, d, 'Normal', 'ScalingReplicaSet', `Scaled ${want > from ? 'up' : 'down'} replica set ${name} from ${from} to ${want}`, 'deployment-controller');
    }
    const curReady = Number(status(current)['readyReplicas'] ?? 0);
    const old = owned.filter((r) => r.metadata.name !== name);
    for (const r of old) {
      // Rolling update, simplified: old pods go once the new set is fully ready (or Recreate: at once).
      if (Number(spec(r)['replicas'] ?? 0) > 0 && (curReady >= want || ds['strategy']?.type === 'Recreate')) {
        tolerate(() => api.patch(rsRt, r.metadata.namespace, r.metadata.name ?? '', 'merge', { spec: { replicas: 0 } }, { manager: 'kube-controller-manager' }));
        recordEvent(api, d, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${r.metadata.name} from ${spec(r)['replicas']} to 0`, 'deployment-controller');
      }
    }
    const limit = Number(ds['revisionHistoryLimit'] ?? 10);
    const idle = old.filter((r) => Number(spec(r)['replicas'] ?? 0) === 0 && Number(status(r)['replicas'] ?? 0) === 0);
    for (const r of idle.slice(0, Math.max(0, idle.length - limit))) tolerate(() => api.delete(rsRt, r.metadata.namespace, r.metadata.name ?? ''));

    const all = [current, ...old];
    const sum = (f: string) => all.reduce((a, r) => a + Number(status(r)[f] ?? 0), 0);
    const available = sum('availableReplicas');
    const prev = (status(d)['conditions'] ?? []) as Any[];
    const cond = (type: string, ok: boolean, reason: string, message: string) => {
      const p = prev.find((c) => c['type'] === type);
      const same = p && p['status'] === (ok ? 'True' : 'False') && p['reason'] === reason;
      return { type, status: ok ? 'True' : 'False', lastUpdateTime: same ? p['lastUpdateTime'] : nowIso(), lastTransitionTime: same ? p['lastTransitionTime'] : nowIso(), reason, message };
    };
    const complete = curReady >= want && old.every((r) => Number(status(r)['replicas'] ?? 0) === 0);
    const next: Any = {
      observedGeneration: d.metadata.generation,
      replicas: sum('replicas'),
      updatedReplicas: Number(status(current)['replicas'] ?? 0),
      readyReplicas: sum('readyReplicas'),
      availableReplicas: available,
      ...(sum('replicas') - available > 0 ? { unavailableReplicas: sum('replicas') - available } : {}),
      conditions: [
        cond('Available', available >= want - Math.floor(want / 4), available >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', available >= want ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
        cond('Progressing', true, complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', complete ? `ReplicaSet "${name}" has successfully progressed.` : `ReplicaSet "${name}" is progressing.`),
      ],
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (next[k] === 0) delete next[k];
    setStatus(api, 'apps', 'deployments', d, next, 'deployment-controller');
  }
}
