// Names, labels and annotations every rendered object carries. The labels are how uninstall finds
// what install created (together with the rendered list), so they are set in one place only.
import { createHash } from 'node:crypto';
import type { Values } from '../values.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { NAMES } from '../../api/kube-names.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  [field: string]: unknown;
}

export const PART_OF = 'netobs';
export const MANAGED_BY = 'netobs';
export const VALUES_HASH_ANNOTATION = 'netobs.io/values-hash';
export const CONFIG_HASH_ANNOTATION = 'netobs.io/config-hash';

/** Every object install creates matches this selector; uninstall deletes by it (and by the rendered list). */
export const INSTALL_SELECTOR = `app.kubernetes.io/part-of=${PART_OF},app.kubernetes.io/managed-by=${MANAGED_BY}`;

export { NAMES, agentSelector, relaySelector } from '../../api/kube-names.ts';

export { canonicalJson } from '../../lib/canonical-json.ts';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function valuesHash(v: Values): string {
  return sha256(canonicalJson(v));
}

/** Label values allow [A-Za-z0-9_.-], at most 63, alphanumeric at both ends; `1.0.0+abc` becomes `1.0.0_abc`. */
export function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

export function commonLabels(v: Values): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/version': labelValue(v.version),
  };
}

export interface MetaOptions {
  namespaced?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Metadata for one object: common labels, the values hash, and the namespace unless cluster-scoped. */
export function meta(v: Values, name: string, opts: MetaOptions = {}): KubeObject['metadata'] {
  return {
    name,
    ...(opts.namespaced === false ? {} : { namespace: v.namespace }),
    labels: { ...commonLabels(v), ...opts.labels },
    annotations: { [VALUES_HASH_ANNOTATION]: valuesHash(v), ...opts.annotations },
  };
}
