// Server-side apply (application/apply-patch+yaml), approximated on top of strategic merge:
// the applied config is merged into the live object, fields this manager applied before and
// no longer applies are removed, and fields another manager owns with a different value are
// conflicts unless force=true, in which case ownership moves.
import { ApiError } from './errors.ts';
import { changedPaths, entryPaths, leafPaths, overlaps, removePath, toFieldsV1 } from './managed-fields.ts';
import { strategicMergePatch } from './patch.ts';
import type { KObject, ManagedFieldsEntry } from './types.ts';

export interface ApplyOptions {
  manager: string;
  force: boolean;
  apiVersion: string;
  subresource?: string;
}

export function applyConfig(live: KObject | undefined, config: KObject, o: ApplyOptions): KObject {
  const applied = leafPaths(config);
  const entries = structuredClone(live?.metadata.managedFields ?? []);
  const base = structuredClone(live ?? { metadata: {} }) as KObject;

  const conflicts: string[] = [];
  const liveLeaves = live ? leafPaths(live) : new Map<string, string>();
  for (const e of entries) {
    if (e.manager === o.manager && e.operation === 'Apply') continue;
    for (const p of entryPaths(e)) {
      for (const [q, v] of applied) {
        if (!overlaps(p, q)) continue;
        if (p === q && liveLeaves.get(p) === v) continue;
        conflicts.push(`conflict with "${e.manager}"${e.operation === 'Update' ? ' using ' + e.apiVersion : ''}: ${q}`);
      }
    }
  }
  if (conflicts.length > 0 && !o.force) {
    const uniq = [...new Set(conflicts)];
    throw new ApiError(409, 'Conflict', `Apply failed with ${uniq.length} conflict${uniq.length > 1 ? 's' : ''}: ${uniq.join('\n')}`, {
      causes: uniq.map((m) => ({ reason: 'FieldManagerConflict', message: m })),
    });
  }

  // Fields this manager applied last time and no longer applies go away unless someone else owns them.
  const mine = entries.find((e) => e.manager === o.manager && e.operation === 'Apply' && (e.subresource ?? '') === (o.subresource ?? ''));
  const others = entries.filter((e) => e !== mine).flatMap(entryPaths);
  for (const p of mine ? entryPaths(mine) : []) {
    if (applied.has(p) || [...applied.keys()].some((q) => q.startsWith(p + '.') || q.startsWith(p + '['))) continue;
    if (others.some((q) => overlaps(p, q))) continue;
    removePath(base, p);
  }

  const { metadata: cfgMeta, ...cfgRest } = config;
  const merged = strategicMergePatch(base, { ...cfgRest, metadata: { labels: cfgMeta.labels, annotations: cfgMeta.annotations } }) as KObject;
  if (!cfgMeta.labels && !base.metadata.labels) delete merged.metadata.labels;
  if (!cfgMeta.annotations && !base.metadata.annotations) delete merged.metadata.annotations;

  // Ownership: this manager owns what it applied; forced fields leave their old owners.
  const next: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (e === mine) continue;
    const keep = entryPaths(e).filter((p) => ![...applied.keys()].some((q) => overlaps(p, q)) || !o.force);
    if (keep.length > 0) next.push({ ...e, fieldsV1: toFieldsV1(keep) });
  }
  next.push(entry(o.manager, 'Apply', o.apiVersion, applied.keys(), o.subresource));
  merged.metadata.managedFields = next;
  return merged;
}

/** Records an Update operation: the manager now owns what it changed. */
export function recordUpdate(before: KObject | undefined, after: KObject, manager: string, apiVersion: string, subresource?: string): void {
  const changed = changedPaths(before ?? {}, after);
  const entries = structuredClone(before?.metadata.managedFields ?? []);
  if (changed.length === 0) {
    after.metadata.managedFields = entries;
    return;
  }
  const next: ManagedFieldsEntry[] = [];
  let own: string[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? '')) {
      own = entryPaths(e);
      continue;
    }
    const keep = entryPaths(e).filter((p) => !changed.includes(p));
    if (keep.length > 0) next.push({ ...e, fieldsV1: toFieldsV1(keep) });
  }
  const now = leafPaths(after);
  const paths = new Set([...own.filter((p) => now.has(p)), ...changed.filter((p) => now.has(p))]);
  if (paths.size > 0) next.push(entry(manager, 'Update', apiVersion, paths, subresource));
  after.metadata.managedFields = next;
}

function entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, paths: Iterable<string>, subresource?: string): ManagedFieldsEntry {
  return {
    manager,
    operation,
    apiVersion,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(paths),
    ...(subresource ? { subresource } : {}),
  };
}
