// Field ownership for server-side apply: which manager set which field. Paths are strings like
// `.spec.template.spec.containers[name=web].image`; lists with a merge key are per element,
// other lists are atomic (one leaf), as in structured-merge-diff.
import type { ManagedFieldsEntry } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const LIST_KEYS: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  ports: ['containerPort', 'port'],
  conditions: ['type'],
  ownerReferences: ['uid'],
};

/** Metadata that belongs to the server, never to a manager. */
const SERVER_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName']);

function listKey(field: string, item: unknown): string | undefined {
  if (!isObj(item)) return undefined;
  for (const k of LIST_KEYS[field] ?? []) if (item[k] !== undefined) return `${k}=${String(item[k])}`;
  return undefined;
}

/** Every owned leaf path of an object with its JSON value. */
export function leafPaths(obj: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string, field: string, top: boolean) => {
    if (isObj(v)) {
      const entries = Object.entries(v);
      if (entries.length === 0 && path) out.set(path, '{}');
      for (const [k, c] of entries) {
        if (top && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
        if (path === '.metadata' && SERVER_META.has(k)) continue;
        walk(c, `${path}.${k}`, k, false);
      }
    } else if (Array.isArray(v) && v.length > 0 && v.every((i) => listKey(field, i) !== undefined)) {
      for (const item of v) walk(item, `${path}[${listKey(field, item)}]`, field, false);
    } else out.set(path, JSON.stringify(v));
  };
  walk(obj, '', '', true);
  return out;
}

/** Paths whose value differs between two objects (set, changed or removed). */
export function changedPaths(before: unknown, after: unknown): string[] {
  const a = leafPaths(before);
  const b = leafPaths(after);
  const out: string[] = [];
  for (const [p, v] of b) if (a.get(p) !== v) out.push(p);
  return out;
}

// FieldsV1: {"f:spec":{"f:replicas":{}}}, keyed list items as {"k:{\"name\":\"web\"}":{...}}.
export function toFieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of splitPath(p)) {
      const key = seg.startsWith('[') ? keyedSeg(seg) : `f:${seg}`;
      cur = (cur[key] ??= {}) as Obj;
    }
  }
  return root;
}

function keyedSeg(seg: string): string {
  const [k, ...rest] = seg.slice(1, -1).split('=');
  const raw = rest.join('=');
  const num = Number(raw);
  return `k:${JSON.stringify({ [k!]: raw !== '' && String(num) === raw ? num : raw })}`;
}

export function fromFieldsV1(f: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  const walk = (node: Obj, path: string) => {
    const keys = Object.keys(node).filter((k) => k !== '.');
    if (keys.length === 0 && path) out.push(path);
    for (const k of keys) {
      let seg: string;
      if (k.startsWith('f:')) seg = `.${k.slice(2)}`;
      else if (k.startsWith('k:')) {
        const o = JSON.parse(k.slice(2)) as Obj;
        const [kk, vv] = Object.entries(o)[0] ?? ['', ''];
        seg = `[${kk}=${String(vv)}]`;
      } else continue;
      walk((node[k] ?? {}) as Obj, path + seg);
    }
  };
  walk(f ?? {}, '');
  return out;
}

export function splitPath(p: string): string[] {
  const segs: string[] = [];
  const re = /\.([^.[\]]+)|(\[[^\]]*\])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) segs.push(m[1] ?? m[2]!);
  return segs;
}

/** Removes the field at a path (a map key or a keyed list element). */
export function removePath(obj: Obj, p: string): void {
  const segs = splitPath(p);
  let cur: unknown = obj;
  let parentField = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg.startsWith('[')) {
      if (!Array.isArray(cur)) return;
      const idx = cur.findIndex((it) => `[${listKey(parentField, it)}]` === seg);
      if (idx < 0) return;
      if (last) {
        cur.splice(idx, 1);
        return;
      }
      cur = cur[idx];
    } else {
      if (!isObj(cur)) return;
      if (last) {
        delete cur[seg];
        return;
      }
      parentField = seg;
      cur = cur[seg];
    }
  }
}

/** Is `p` equal to or below `q`, or `q` below `p`? Overlapping paths conflict. */
export function overlaps(p: string, q: string): boolean {
  return p === q || p.startsWith(q + '.') || p.startsWith(q + '[') || q.startsWith(p + '.') || q.startsWith(p + '[');
}

export function entryPaths(e: ManagedFieldsEntry): string[] {
  return fromFieldsV1(e.fieldsV1);
}
