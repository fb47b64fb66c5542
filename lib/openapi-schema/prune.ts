// Structural pruning, as the API server does it for custom resources: a field the schema does not
// declare is dropped from the stored object unless x-kubernetes-preserve-unknown-fields keeps it.
// apiVersion, kind and metadata of the object (and of each x-kubernetes-embedded-resource) are the
// server's, not the schema's; metadata is cut down to ObjectMeta's fields. The dropped paths are
// returned, so that a Strict request can refuse them and a Warn request can name them.
import type { JSONSchemaProps } from './types.ts';

/** ObjectMeta's fields (metav1.ObjectMeta in JSON): anything else under metadata is unknown. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const join = (p: string, key: string): string => (p ? `${p}.${key}` : key);

/**
 * Removes, in place, every field of `value` that `schema` does not declare; returns their paths in
 * the API server's notation (`spec.ingress[0].fromEndpoint`). `resource` marks `value` as a whole
 * Kubernetes object (the root of a custom resource).
 */
export function prune(value: unknown, schema: JSONSchemaProps, resource = true): string[] {
  const out: string[] = [];
  walk(value, schema, '', resource, out);
  return out;
}

function walk(v: unknown, s: JSONSchemaProps, p: string, resource: boolean, out: string[]): void {
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => walk(item, s.items!, `${p}[${i}]`, false, out));
    return;
  }
  if (!isObj(v) || s['x-kubernetes-int-or-string']) return;
  const embedded = resource || s['x-kubernetes-embedded-resource'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const path = join(p, k);
    if (embedded && (k === 'apiVersion' || k === 'kind')) continue;
    if (embedded && k === 'metadata') {
      pruneMeta(v[k], path, out);
      continue;
    }
    const sub = s.properties?.[k] ?? extra;
    if (sub) walk(v[k], sub, path, false, out);
    else if (!preserve && s.additionalProperties !== true) {
      delete v[k];
      out.push(path);
    }
  }
}

function pruneMeta(m: unknown, p: string, out: string[]): void {
  if (!isObj(m)) return;
  for (const k of Object.keys(m)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    delete m[k];
    out.push(join(p, k));
  }
}
