// Fields the API server dropped. With `kubectl apply --validate=false` (or an old kubectl) a field
// the schema does not know — a typo such as `fromEndpoint` — is pruned before anyone sees the
// object, and the rule that held it may become wider (`toPorts` alone admits every peer). kubectl's
// client-side apply keeps what the user applied in the last-applied-configuration annotation: a
// spec field there that the stored object lacks was pruned, and the policy is refused naming it.
// Only fields missing where the stored object still has their parent count: values that differ
// or lists of another length were edited since (kubectl edit, patch), not pruned; and empty values
// ([], {}, "", 0, false) are not missed, since the API server's own types drop those (omitempty).
import { isObj, type Obj } from './invalid.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The first path (e.g. `spec.ingress[0].fromEndpoint`) present in `applied` and missing in `stored`. */
export function prunedPath(stored: unknown, applied: unknown, path: string): string | undefined {
  if (Array.isArray(stored) && Array.isArray(applied)) {
    if (stored.length !== applied.length) return undefined;
    for (const [i, a] of applied.entries()) {
      const p = prunedPath(stored[i], a, `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (!isObj(stored) || !isObj(applied)) return undefined;
  for (const [k, a] of Object.entries(applied)) {
    if (isEmpty(a)) continue;
    if (!Object.hasOwn(stored, k)) return `${path}.${k}`;
    const p = prunedPath(stored[k], a, `${path}.${k}`);
    if (p) return p;
  }
  return undefined;
}

/** The pruned spec field of a stored policy object, from its last-applied annotation, if any. */
export function prunedSpecField(o: Obj): string | undefined {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  const raw = isObj(meta?.annotations) ? meta.annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof raw !== 'string') return undefined;
  let applied: unknown;
  try {
    applied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(applied) || applied.kind !== o.kind || applied.apiVersion !== o.apiVersion) return undefined;
  for (const k of ['spec', 'specs']) {
    if (applied[k] === undefined || !Object.hasOwn(o, k)) continue;
    const p = prunedPath(o[k], applied[k], k);
    if (p) return p;
  }
  return undefined;
}

const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
