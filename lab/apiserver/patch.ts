// The three patch formats clients send: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// Kubernetes strategic merge patch (lists merged by key for the fields kubectl patches).
import { badRequest, ApiError } from './errors.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- JSON patch ----

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, segs: string[], path: string): { parent: Obj | unknown[]; last: string } {
  let cur: unknown = doc;
  for (const s of segs.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObj(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `jsonpatch: path ${path} does not exist`);
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new ApiError(422, 'Invalid', `jsonpatch: path ${path} does not exist`);
  return { parent: cur, last: segs[segs.length - 1]! };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const s of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObj(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `jsonpatch: path ${path} does not exist`);
  }
  return cur;
}

function removeAt(doc: unknown, path: string): unknown {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  if (!Object.hasOwn(parent, last)) throw new ApiError(422, 'Invalid', `jsonpatch remove: path ${path} does not exist`);
  const v = parent[last];
  delete parent[last];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const segs = pointer(path);
  if (segs.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, segs, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !Object.hasOwn(parent, last)) throw new ApiError(422, 'Invalid', `jsonpatch replace: path ${path} does not exist`);
    parent[last] = structuredClone(value);
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const o of ops as Op[]) {
    switch (o.op) {
      case 'add':
        doc = addAt(doc, o.path, o.value, false);
        break;
      case 'replace':
        doc = addAt(doc, o.path, o.value, true);
        break;
      case 'remove':
        removeAt(doc, o.path);
        break;
      case 'move': {
        const v = removeAt(doc, o.from ?? '');
        doc = addAt(doc, o.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, o.path, getAt(doc, o.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, o.path)) !== JSON.stringify(o.value)) {
          throw new ApiError(422, 'Invalid', `jsonpatch test operation does not apply: ${o.path}`);
        }
        break;
      default:
        throw badRequest(`unknown json patch op ${JSON.stringify(o.op)}`);
    }
  }
  return doc;
}

// ---- strategic merge patch ----

/** Merge keys of the list fields kubectl patches (k8s.io/api patchMergeKey tags). */
const MERGE_KEYS: Record<string, string | ((item: Obj) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  topologySpreadConstraints: 'topologyKey',
  // Container ports merge on containerPort, service ports on port.
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port'),
  readinessGates: 'conditionType',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
};

/** Primitive lists whose strategy is merge (union), not replace. */
const MERGE_PRIMITIVES = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return smpValue(target, patch, '');
}

function smpValue(target: unknown, patch: unknown, field: string): unknown {
  if (isObj(patch)) return smpMap(isObj(target) ? target : {}, patch);
  if (Array.isArray(patch)) return smpList(Array.isArray(target) ? target : [], patch, field);
  return structuredClone(patch);
}

function smpMap(target: Obj, patch: Obj): Obj {
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  if (directive === 'delete') return {};
  let out: Obj = { ...target };
  const retain = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      const del = new Set((v as unknown[]).map((x) => JSON.stringify(x)));
      if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !del.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) delete out[k];
    else out[k] = smpValue(out[k], v, k);
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain as string[]);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, order] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') && Array.isArray(order)) {
      const f = k.slice('$setElementOrder/'.length);
      if (Array.isArray(out[f])) out[f] = reorder(out[f] as unknown[], order, f);
    }
  }
  return out;
}

function keyOf(field: string, item: unknown): string | undefined {
  if (!isObj(item)) return undefined;
  const mk = MERGE_KEYS[field];
  if (!mk) return undefined;
  const name = typeof mk === 'function' ? mk(item) : mk;
  const v = item[name];
  if (v === undefined) return undefined;
  // Ports also need the protocol to be unique (TCP and UDP on the same number).
  return field === 'ports' ? `${String(v)}/${String(item['protocol'] ?? 'TCP')}` : String(v);
}

function smpList(target: unknown[], patch: unknown[], field: string): unknown[] {
  if (patch.some((p) => isObj(p) && p['$patch'] === 'replace')) {
    return structuredClone(patch.filter((p) => !(isObj(p) && p['$patch'] === 'replace')));
  }
  const keyed = MERGE_KEYS[field] !== undefined && patch.every((p) => keyOf(field, p) !== undefined);
  if (!keyed) {
    if (MERGE_PRIMITIVES.has(field)) {
      const out = [...target];
      for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(structuredClone(p));
      return out;
    }
    return structuredClone(patch);
  }
  const out = [...target];
  for (const p of patch) {
    const k = keyOf(field, p);
    const i = out.findIndex((x) => keyOf(field, x) === k);
    if (isObj(p) && p['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = smpMap(out[i] as Obj, p as Obj);
    else out.push(smpMap({}, p as Obj));
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], field: string): unknown[] {
  const rank = new Map<string, number>();
  order.forEach((o, i) => {
    const k = keyOf(field, o) ?? JSON.stringify(o);
    rank.set(k, i);
  });
  const k = (x: unknown) => rank.get(keyOf(field, x) ?? JSON.stringify(x)) ?? Number.MAX_SAFE_INTEGER;
  return [...list].sort((a, b) => k(a) - k(b));
}
