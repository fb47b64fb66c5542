// The values an install leaves in the cluster (as cilium-cli keeps its Helm values in a Secret), so
// a re-run of `install` or an `upgrade` starts from what the user set last time instead of silently
// reverting to the defaults; and the diff of values and rendered objects a re-run prints. Pure.
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { NAMES } from '../api/kube-names.ts';
import { commonLabels, VALUES_HASH_ANNOTATION, type KubeObject } from './render/meta.ts';
import type { Values } from './values.ts';

type Tree = Record<string, unknown>;

const isMap = (x: unknown): x is Tree => x !== null && typeof x === 'object' && !Array.isArray(x);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Secret keys: the effective values (for people and sysdump) and the user's part of them (what is reused). */
export const STORED_VALUES_KEY = 'values.yaml';
export const STORED_USER_VALUES_KEY = 'user-values.yaml';

export interface StoredValues {
  /** Every value the install ran with. */
  values: Tree;
  /** Only what differed from that version's defaults: layered on the defaults of a re-run. */
  userValues: Tree;
}

/**
 * What `effective` sets beyond `defaults`: changed leaves, whole lists that differ, and null for a
 * default key that is gone (mergeValues deletes on null). Merged onto the defaults, it gives
 * `effective` back.
 */
export function userOverrides(effective: Tree, defaults: Tree): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(effective)) {
    const d = defaults[k];
    if (isMap(v) && isMap(d)) {
      const sub = userOverrides(v, d);
      if (Object.keys(sub).length) out[k] = sub;
    } else if (!same(v, d)) out[k] = structuredClone(v);
  }
  for (const k of Object.keys(defaults)) if (!(k in effective)) out[k] = null;
  return out;
}

/**
 * `upgrade` moves to this plugin's version: a version or image tag/digest kept from the last
 * install would pin the old release, so they are not reused (--version and --image still set them).
 */
export function withoutVersionPins(user: Tree): Tree {
  const out = structuredClone(user);
  delete out.version;
  if (isMap(out.image)) {
    delete out.image.tag;
    delete out.image.digest;
    if (Object.keys(out.image).length === 0) delete out.image;
  }
  return out;
}

export function storedValuesSecret(values: Values, defaults: Values): KubeObject {
  const user = userOverrides(values as unknown as Tree, defaults as unknown as Tree);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: NAMES.installValues, namespace: values.namespace, labels: commonLabels(values), annotations: {} },
    type: 'Opaque',
    // stringData would be echoed back as data: data keeps server-side apply a no-op when nothing changed.
    data: {
      [STORED_VALUES_KEY]: Buffer.from(toYaml(values)).toString('base64'),
      [STORED_USER_VALUES_KEY]: Buffer.from(toYaml(user)).toString('base64'),
    },
  };
}

/** Reads the Secret back; a missing or unreadable key is an error naming the Secret and the fix. */
export function readStoredValues(secret: { metadata?: { namespace?: string }; data?: Record<string, string> }): StoredValues {
  const where = `Secret ${secret.metadata?.namespace ?? ''}/${NAMES.installValues}`;
  const key = (k: string): Tree => {
    const b64 = secret.data?.[k];
    if (b64 === undefined) throw new Error(`${where} has no ${k} (use --reset-values to start from the defaults)`);
    let parsed: unknown;
    try {
      parsed = parseYaml(Buffer.from(b64, 'base64').toString('utf8'));
    } catch (err) {
      throw new Error(`${where}: ${k}: ${(err as Error).message.split('\n')[0]} (use --reset-values to start from the defaults)`);
    }
    if (parsed === null || parsed === undefined) return {};
    if (!isMap(parsed)) throw new Error(`${where}: ${k} is not a map (use --reset-values to start from the defaults)`);
    return parsed;
  };
  return { values: key(STORED_VALUES_KEY), userValues: key(STORED_USER_VALUES_KEY) };
}

export interface ValueChange {
  path: string;
  from: unknown;
  to: unknown;
}

/** Leaf by leaf (lists whole); undefined on one side means added or removed. Sorted by path. */
export function diffValues(before: unknown, after: unknown, path = ''): ValueChange[] {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return same(before, after) ? [] : [{ path, from: before, to: after }];
}

/** Field paths that differ between two objects, lists element by element when their lengths agree. */
function changedPaths(before: unknown, after: unknown, path: string): string[] {
  if (isMap(before) && isMap(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => changedPaths(b, after[i], `${path}[${i}]`));
  }
  return same(before, after) ? [] : [path];
}

export interface ObjectChange {
  change: 'added' | 'removed' | 'changed';
  ref: string;
  /** For `changed`: the field paths (never the values: Secrets are among the objects). */
  paths: string[];
}

const refOf = (o: KubeObject): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Object by object, in the order of `after` then what is gone; the values hash (it follows every value) is left out. */
export function diffObjects(before: readonly KubeObject[], after: readonly KubeObject[]): ObjectChange[] {
  const strip = (o: KubeObject): KubeObject => {
    const { [VALUES_HASH_ANNOTATION]: _hash, ...annotations } = o.metadata.annotations ?? {};
    return { ...o, metadata: { ...o.metadata, annotations } };
  };
  const old = new Map(before.map((o) => [refOf(o), strip(o)]));
  const out: ObjectChange[] = [];
  for (const o of after) {
    const ref = refOf(o);
    const b = old.get(ref);
    old.delete(ref);
    if (!b) out.push({ change: 'added', ref, paths: [] });
    else {
      const paths = changedPaths(b, strip(o), '');
      if (paths.length) out.push({ change: 'changed', ref, paths });
    }
  }
  for (const ref of old.keys()) out.push({ change: 'removed', ref, paths: [] });
  return out;
}

const show = (v: unknown): string => {
  if (v === undefined) return '(unset)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** A few lines for the terminal: each value change, then each object change with up to three field paths. */
export function formatDiff(values: readonly ValueChange[], objects: readonly ObjectChange[]): string[] {
  if (values.length === 0 && objects.length === 0) return ['no change from the values stored by the last install'];
  const lines = [`values (last install → now): ${values.length === 0 ? 'unchanged' : ''}`.trimEnd()];
  for (const c of values) lines.push(`  ${c.path}: ${show(c.from)} → ${show(c.to)}`);
  lines.push(`objects: ${objects.length === 0 ? 'unchanged' : ''}`.trimEnd());
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  for (const c of objects) {
    const more = c.paths.length > 3 ? ` (+${c.paths.length - 3} more)` : '';
    lines.push(`  ${mark[c.change]} ${c.ref}${c.paths.length ? `: ${c.paths.slice(0, 3).join(', ')}${more}` : ''}`);
  }
  return lines;
}
