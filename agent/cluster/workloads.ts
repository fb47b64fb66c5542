// The workload behind a pod, as Hubble reports it (Endpoint.workloads): the top controller found
// by following ownerReferences, derived from names because the agent does not watch ReplicaSets
// or Jobs. A ReplicaSet whose name is `<deployment>-<pod-template-hash>` belongs to that
// Deployment; a Job named `<cronjob>-<digits>` to that CronJob.
import type { PodObject } from '../../lib/kube-objects.ts';

export interface Workload {
  readonly name: string;
  readonly kind: string;
}

export function podWorkloads(pod: PodObject): Workload[] {
  const owners = pod.metadata.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  if (!owner) return [];
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return [{ name: owner.name.slice(0, -hash.length - 1), kind: 'Deployment' }];
    return [{ name: owner.name, kind: 'ReplicaSet' }];
  }
  if (owner.kind === 'Job') {
    const m = /^(.+)-(\d{8,})$/.exec(owner.name);
    if (m?.[1]) return [{ name: m[1], kind: 'CronJob' }];
  }
  return [{ name: owner.name, kind: owner.kind }];
}
