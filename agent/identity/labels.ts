// Security labels: what identities are made of and what selectors match.
//
// A label is `source:key=value`, as Cilium and Hubble print them (`k8s:app=foo`), so Flow
// Endpoint.labels and `--label` filters read the same. Sources:
//   k8s       pod labels and the keys netobs derives from Kubernetes objects (below)
//   reserved  reserved identities (`reserved:host`, `reserved:world`, ...)
//   cidr      CIDR identities (`cidr:10.0.0.0/8`)
//   any       selectors only: matches a label of any source
//
// Keys netobs derives (all with source k8s). Pod labels using these keys or their prefixes are
// dropped before an identity is made, so a pod cannot claim another namespace's identity.
//   io.kubernetes.pod.namespace=<ns>                 the pod's namespace (same key as Cilium)
//   io.netobs.k8s.namespace.labels.<k>=<v>           each label of the pod's namespace
//   io.netobs.k8s.policy.serviceaccount=<name>       the pod's service account
//   io.netobs.k8s.policy.cluster=<name>              the cluster name, when one is configured
// Policies written for Cilium keep working: selectors spelled with the `io.cilium.k8s.` prefix
// are read as the `io.netobs.k8s.` keys (see canonicalKey).

export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

/** A canonical label set: sorted by key then source, one label per (source, key). */
export type LabelSet = readonly Label[];

export const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
export const NAMESPACE_LABELS_PREFIX = 'io.netobs.k8s.namespace.labels.';
export const SERVICE_ACCOUNT_KEY = 'io.netobs.k8s.policy.serviceaccount';
export const CLUSTER_KEY = 'io.netobs.k8s.policy.cluster';
const NETOBS_PREFIX = 'io.netobs.k8s.';
const CILIUM_PREFIX = 'io.cilium.k8s.';

export const LABEL_SOURCES = ['k8s', 'reserved', 'cidr', 'any'] as const;

/** Reads Cilium's spelling of a derived key as netobs's. */
export function canonicalKey(key: string): string {
  return key.startsWith(CILIUM_PREFIX) ? NETOBS_PREFIX + key.slice(CILIUM_PREFIX.length) : key;
}

/** Keys a pod may not set itself because netobs derives them. */
export function isDerivedKey(key: string): boolean {
  return key === NAMESPACE_KEY || key.startsWith(NETOBS_PREFIX) || key.startsWith(CILIUM_PREFIX);
}

export function label(source: string, key: string, value = ''): Label {
  return { source, key, value };
}

export function formatLabel(l: Label): string {
  return l.value === '' && l.source !== 'k8s' ? `${l.source}:${l.key}` : `${l.source}:${l.key}=${l.value}`;
}

/** Parses `source:key=value` (source defaults to `k8s`, value to ''), as in Flow labels. */
export function parseLabel(text: string): Label {
  const colon = text.indexOf(':');
  const src = colon > 0 ? text.slice(0, colon) : '';
  const known = (LABEL_SOURCES as readonly string[]).includes(src);
  const rest = known ? text.slice(colon + 1) : text;
  const eq = rest.indexOf('=');
  const key = eq >= 0 ? rest.slice(0, eq) : rest;
  const value = eq >= 0 ? rest.slice(eq + 1) : '';
  return { source: known ? src : 'k8s', key: canonicalKey(key), value };
}

function compare(a: Label, b: Label): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return 0;
}

/** Sorts and de-duplicates (the last label for a (source, key) wins). */
export function labelSet(labels: Iterable<Label>): LabelSet {
  const byKey = new Map<string, Label>();
  for (const l of labels) byKey.set(`${l.source}:${l.key}`, l);
  return [...byKey.values()].sort(compare);
}

/** The string an identity is keyed by: equal label sets give equal strings on every node. */
export function labelSetKey(set: LabelSet): string {
  return set.map(formatLabel).join(';');
}

export function labelSetEquals(a: LabelSet, b: LabelSet): boolean {
  return labelSetKey(a) === labelSetKey(b);
}

const indexCache = new WeakMap<LabelSet, Map<string, Label[]>>();

/** Labels by key, for selector matching; computed once per set. */
export function labelsByKey(set: LabelSet): ReadonlyMap<string, readonly Label[]> {
  let idx = indexCache.get(set);
  if (!idx) {
    idx = new Map();
    for (const l of set) {
      const list = idx.get(l.key);
      if (list) list.push(l);
      else idx.set(l.key, [l]);
    }
    indexCache.set(set, idx);
  }
  return idx;
}
