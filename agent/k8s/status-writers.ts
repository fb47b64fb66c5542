// The two things the agent writes besides identities: the Valid condition of netobs policies
// and its node's NetobsNode status. Condition building is pure; the writes are merge patches of
// the status subresource (the agent owns these fields; every agent computes the same Valid).
import { GROUP, VERSION } from '../../api/kube-names.ts';
import type { PolicyObject } from '../../lib/kube-objects.ts';
import type { PolicyValidity } from './source.ts';
import { statusOf, type KubeRest } from '../../lib/kube-rest.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The Valid condition; keeps the previous transition time when the status did not change. */
export function validCondition(v: PolicyValidity, now: Date, previous?: Partial<Condition>): Condition {
  const status = v.valid ? 'True' : 'False';
  return {
    type: 'Valid',
    status,
    ...(v.generation !== undefined ? { observedGeneration: v.generation } : {}),
    lastTransitionTime: previous?.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : now.toISOString(),
    reason: v.valid ? 'Valid' : 'Invalid',
    message: v.message,
  };
}

export function policyStatusPath(o: PolicyObject): string | undefined {
  if (o.apiVersion !== `${GROUP}/${VERSION}`) return undefined;
  const name = encodeURIComponent(o.metadata.name);
  if (o.kind === 'NetworkPolicy') return `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(o.metadata.namespace ?? 'default')}/networkpolicies/${name}/status`;
  if (o.kind === 'ClusterwideNetworkPolicy') return `/apis/${GROUP}/${VERSION}/clusterwidenetworkpolicies/${name}/status`;
  return undefined;
}

export async function writePolicyValidity(rest: KubeRest, o: PolicyObject, v: PolicyValidity, now = new Date()): Promise<void> {
  const path = policyStatusPath(o);
  if (!path) return;
  const prev = ((o as { status?: { conditions?: Partial<Condition>[] } }).status?.conditions ?? []).find((c) => c.type === 'Valid');
  const cond = validCondition(v, now, prev);
  await rest.mergePatch(path, { status: { ...(v.generation !== undefined ? { observedGeneration: v.generation } : {}), conditions: [cond] } });
}

export const NODE_PATH = `/apis/${GROUP}/${VERSION}/netobsnodes`;

/** Creates the node's NetobsNode when missing, then replaces its status. */
export async function writeNodeStatus(rest: KubeRest, node: string, status: Record<string, unknown>): Promise<void> {
  const path = `${NODE_PATH}/${encodeURIComponent(node)}`;
  try {
    await rest.mergePatch(`${path}/status`, { status });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    await rest.request('POST', NODE_PATH, { apiVersion: `${GROUP}/${VERSION}`, kind: 'NetobsNode', metadata: { name: node } });
    await rest.mergePatch(`${path}/status`, { status });
  }
}
