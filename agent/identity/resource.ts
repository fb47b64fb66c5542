// The NetobsIdentity custom resource (netobs.io/v1alpha1, cluster-scoped): one object per
// allocated identity, named by its number, holding its security labels. Pure conversions, so the
// Kubernetes-backed IdentityStore and `kubectl get netobsidentities` agree on the shape.
import { formatLabel, labelSet, parseLabel, type LabelSet } from './labels.ts';
import type { StoredIdentity } from './store.ts';
import { MAX_ALLOCATED_IDENTITY, MIN_ALLOCATED_IDENTITY } from './reserved.ts';

export const IDENTITY_GROUP = 'netobs.io';
export const IDENTITY_VERSION = 'v1alpha1';
export const IDENTITY_KIND = 'NetobsIdentity';
export const IDENTITY_PLURAL = 'netobsidentities';

export interface IdentityResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  /** `source:key` -> value, as CiliumIdentity's security-labels. */
  securityLabels: Record<string, string>;
}

export function identityToResource(id: number, labels: LabelSet): IdentityResource {
  const securityLabels: Record<string, string> = {};
  for (const l of labels) securityLabels[`${l.source}:${l.key}`] = l.value;
  return {
    apiVersion: `${IDENTITY_GROUP}/${IDENTITY_VERSION}`,
    kind: IDENTITY_KIND,
    metadata: { name: String(id) },
    securityLabels,
  };
}

/** Undefined for objects that are not a well-formed identity (they are ignored, not fatal). */
export function identityFromResource(obj: unknown): StoredIdentity | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Partial<IdentityResource>;
  const name = o.metadata?.name ?? '';
  if (!/^[1-9][0-9]*$/.test(name)) return undefined;
  const id = Number(name);
  if (id < MIN_ALLOCATED_IDENTITY || id >= MAX_ALLOCATED_IDENTITY) return undefined;
  const sl = o.securityLabels;
  if (typeof sl !== 'object' || sl === null) return undefined;
  const labels = labelSet(Object.entries(sl).map(([k, v]) => parseLabel(`${k}=${String(v)}`)));
  return { id, labels };
}

/** For logs and `kubectl get`: the labels as Hubble prints them. */
export function describeIdentity(s: StoredIdentity): string {
  return `${s.id} ${s.labels.map(formatLabel).join(' ')}`;
}
