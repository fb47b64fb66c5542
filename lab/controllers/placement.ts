// Pure placement rules shared by the scheduler and the DaemonSet controller: taints and
// tolerations, node selectors, node affinity, and pod (anti-)affinity on kubernetes.io/hostname.
import { matchSpecSelector, type SpecSelector } from '../apiserver/selectors.ts';
import type { KObject } from '../apiserver/types.ts';
import type { Any } from './util.ts';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(tols: Toleration[], taint: Taint): boolean {
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

export function untoleratedTaint(pod: Any, node: KObject): Taint | undefined {
  const taints = ((node['spec'] as Any | undefined)?.['taints'] ?? []) as Taint[];
  const tols = (pod['spec']?.tolerations ?? []) as Toleration[];
  return taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tols, t));
}

function matchNodeTerm(term: Any, node: KObject): boolean {
  const labels = node.metadata.labels ?? {};
  const exprOk = ((term['matchExpressions'] ?? []) as Any[]).every((e) => matchExpr(e, labels[e['key']]));
  const fieldOk = ((term['matchFields'] ?? []) as Any[]).every((e) => matchExpr(e, e['key'] === 'metadata.name' ? node.metadata.name : undefined));
  return exprOk && fieldOk;
}

function matchExpr(e: Any, v: string | undefined): boolean {
  const vals = (e['values'] ?? []) as string[];
  switch (e['operator']) {
    case 'In':
      return v !== undefined && vals.includes(v);
    case 'NotIn':
      return v === undefined || !vals.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(vals[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(vals[0]);
    default:
      return false;
  }
}

/** nodeSelector and required node affinity. */
export function nodeMatches(pod: Any, node: KObject): boolean {
  const sel = (pod['spec']?.nodeSelector ?? {}) as Record<string, string>;
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return false;
  const terms = pod['spec']?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Any[] | undefined;
  return !terms || terms.length === 0 || terms.some((t) => matchNodeTerm(t, node));
}

/** Required pod affinity / anti-affinity. Topology keys other than the hostname are treated as one domain per node. */
export function podAffinityOk(pod: Any, nodeName: string, podsOnNode: KObject[], allPods: KObject[]): boolean {
  const ns = pod['metadata']?.namespace;
  const termMatches = (t: Any, p: KObject) => {
    const namespaces = (t['namespaces'] as string[] | undefined) ?? [ns];
    return namespaces.includes(p.metadata.namespace ?? '') && matchSpecSelector((t['labelSelector'] ?? {}) as SpecSelector, p.metadata.labels);
  };
  const aff = (pod['spec']?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as Any[];
  for (const t of aff) {
    const anywhere = allPods.some((p) => termMatches(t, p));
    // The first pod of a group that selects itself may go anywhere (as the real scheduler allows).
    if (!podsOnNode.some((p) => termMatches(t, p)) && (anywhere || !matchSpecSelector(t['labelSelector'], pod['metadata']?.labels))) return false;
  }
  const anti = (pod['spec']?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as Any[];
  for (const t of anti) if (podsOnNode.some((p) => termMatches(t, p))) return false;
  // Existing pods' anti-affinity against the incoming pod.
  for (const p of podsOnNode) {
    const theirs = ((p['spec'] as Any | undefined)?.['affinity']?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as Any[];
    for (const t of theirs) {
      const namespaces = (t['namespaces'] as string[] | undefined) ?? [p.metadata.namespace];
      if (namespaces.includes(ns) && matchSpecSelector(t['labelSelector'] ?? {}, pod['metadata']?.labels)) return false;
    }
  }
  void nodeName;
  return true;
}

export function nodeReady(node: KObject): boolean {
  return (((node['status'] as Any | undefined)?.['conditions'] ?? []) as Any[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

/** Tolerations every DaemonSet pod gets, so they land on nodes that are not ready yet or cordoned. */
export const DAEMONSET_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
