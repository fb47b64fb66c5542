// What uninstall deletes, and in which order, from the rendered list (pure; the lead's apply path
// performs it). Only objects install rendered are deleted, never "everything with a label in the
// namespace", so a user's own objects in netobs-system survive; the namespace itself goes only
// when nothing but what Kubernetes puts in every namespace is left in it.
import { UNINSTALLING_ANNOTATION } from './render/agent.ts';
import { NAMES, type KubeObject } from './render/meta.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface UninstallStep {
  ref: ObjectRef;
  /** Foreground for the agent DaemonSet: it stays visible, marked for deletion, while its pods stop,
   * which is how each agent's preStop hook knows to detach its programs (see render/agent.ts). */
  propagationPolicy: 'Foreground' | 'Background';
  /** Annotations to patch onto the object before deleting it. */
  annotateFirst?: Record<string, string>;
  /** Wait until the object is gone before the next step. */
  waitForDeletion: boolean;
}

export interface UninstallPlan {
  steps: UninstallStep[];
  /** Delete this namespace last, and only if namespaceIsDisposable says so for what is left in it. */
  namespace: string | undefined;
}

const ref = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });

export function planUninstall(objects: readonly KubeObject[], o: { keepCrds?: boolean } = {}): UninstallPlan {
  const agent = objects.find((x) => x.kind === 'DaemonSet' && x.metadata.name === NAMES.agent);
  const rest = objects
    .filter((x) => x !== agent && x.kind !== 'Namespace' && !(o.keepCrds && x.kind === 'CustomResourceDefinition'))
    .reverse();
  const steps: UninstallStep[] = [];
  if (agent) steps.push({ ref: ref(agent), propagationPolicy: 'Foreground', annotateFirst: { [UNINSTALLING_ANNOTATION]: 'true' }, waitForDeletion: true });
  // RBAC goes after the workloads (the agents need it to read their DaemonSet while stopping), and
  // CRDs last, once no agent is left to recreate identities or node objects.
  for (const x of rest) steps.push({ ref: ref(x), propagationPolicy: 'Background', waitForDeletion: x.kind === 'CustomResourceDefinition' || x.kind === 'Deployment' });
  return { steps, namespace: objects.find((x) => x.kind === 'Namespace')?.metadata.name };
}

/** What Kubernetes creates in every namespace: these do not make a namespace the user's. */
const NAMESPACE_DEFAULTS = [
  { kind: 'ServiceAccount', name: 'default' },
  { kind: 'ConfigMap', name: 'kube-root-ca.crt' },
];

/** True when what remains in the namespace (after the plan's deletions) is only Kubernetes' defaults. */
export function namespaceIsDisposable(remaining: readonly { kind: string; metadata: { name: string } }[]): boolean {
  return remaining.every((r) => NAMESPACE_DEFAULTS.some((d) => d.kind === r.kind && d.name === r.metadata.name));
}
