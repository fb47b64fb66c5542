// The labels that decide a pod's identity. Pods that differ only in per-pod bookkeeping labels
// (a ReplicaSet hash, a StatefulSet ordinal) must share an identity, or every rollout would mint
// identities and churn every node's policy maps.
import {
  CLUSTER_KEY,
  NAMESPACE_KEY,
  NAMESPACE_LABELS_PREFIX,
  SERVICE_ACCOUNT_KEY,
  isDerivedKey,
  label,
  labelSet,
  type Label,
  type LabelSet,
} from './labels.ts';

/**
 * Pod label keys that never influence identity: each is unique per pod, per revision or per
 * job run. Keep this list documented; users select on everything else.
 */
export const EXCLUDED_POD_LABEL_KEYS: readonly string[] = [
  'pod-template-hash', // Deployment -> ReplicaSet revision
  'controller-revision-hash', // StatefulSet / DaemonSet revision
  'pod-template-generation', // DaemonSet generation
  'statefulset.kubernetes.io/pod-name', // one value per StatefulSet pod
  'apps.kubernetes.io/pod-index', // StatefulSet ordinal
  'batch.kubernetes.io/job-completion-index', // indexed Job ordinal
  'controller-uid', // Job uid (legacy key)
  'batch.kubernetes.io/controller-uid', // Job uid
];

/** The label every namespace carries (k8s >= 1.22); synthesized when an API server omits it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface PodIdentitySource {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  /** Set only when the agent is configured with a cluster name. */
  readonly cluster?: string;
}

export interface SecurityLabelOptions {
  /** More pod label keys to leave out, on top of EXCLUDED_POD_LABEL_KEYS. */
  readonly excludeKeys?: readonly string[];
}

export function isExcludedPodLabel(key: string, extra: readonly string[] = []): boolean {
  return EXCLUDED_POD_LABEL_KEYS.includes(key) || extra.includes(key) || isDerivedKey(key);
}

/** The canonical security label set of a pod. */
export function podSecurityLabels(src: PodIdentitySource, opts: SecurityLabelOptions = {}): LabelSet {
  const out: Label[] = [];
  for (const [k, v] of Object.entries(src.podLabels)) {
    if (!isExcludedPodLabel(k, opts.excludeKeys)) out.push(label('k8s', k, v));
  }
  out.push(label('k8s', NAMESPACE_KEY, src.namespace));
  const nsLabels = { [NAMESPACE_NAME_LABEL]: src.namespace, ...src.namespaceLabels };
  for (const [k, v] of Object.entries(nsLabels)) out.push(label('k8s', NAMESPACE_LABELS_PREFIX + k, v));
  if (src.serviceAccount) out.push(label('k8s', SERVICE_ACCOUNT_KEY, src.serviceAccount));
  if (src.cluster) out.push(label('k8s', CLUSTER_KEY, src.cluster));
  return labelSet(out);
}
