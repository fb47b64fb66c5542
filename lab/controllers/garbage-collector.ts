// Garbage collection by ownerReferences: dependents of vanished owners are deleted (background),
// foreground deletions wait for blocking dependents, orphan deletions strip the references.
import type { Api } from '../apiserver/api.ts';
import type { KObject, ResourceType } from '../apiserver/types.ts';
import { tolerate } from './util.ts';

export function collectGarbage(api: Api): void {
  const all = api.allObjects();
  const byUid = new Map<string, { rt: ResourceType; obj: KObject }>();
  for (const e of all) if (e.obj.metadata.uid) byUid.set(e.obj.metadata.uid, e);
  const dependents = (uid: string) => all.filter((e) => (e.obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid));

  for (const { rt, obj } of all) {
    const md = obj.metadata;
    const fin = md.finalizers ?? [];
    if (md.deletionTimestamp && fin.includes('orphan')) {
      for (const d of dependents(md.uid ?? '')) {
        tolerate(() => api.patch(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? '', 'merge', { metadata: { ownerReferences: (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== md.uid) } }, { manager: 'garbage-collector' }));
      }
      removeFinalizer(api, rt, obj, 'orphan');
      continue;
    }
    if (md.deletionTimestamp && fin.includes('foregroundDeletion')) {
      const deps = dependents(md.uid ?? '');
      for (const d of deps) if (!d.obj.metadata.deletionTimestamp) tolerate(() => api.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name ?? '', { propagationPolicy: 'Foreground' }));
      if (deps.every((d) => !(d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === md.uid && r.blockOwnerDeletion))) removeFinalizer(api, rt, obj, 'foregroundDeletion');
      continue;
    }
    const refs = md.ownerReferences ?? [];
    if (refs.length === 0 || md.deletionTimestamp) continue;
    const alive = refs.filter((r) => {
      const o = byUid.get(r.uid);
      return o && o.obj.metadata.namespace === (rt.namespaced && o.rt.namespaced ? md.namespace : o.obj.metadata.namespace);
    });
    if (alive.length === 0) {
      const fg = refs.some((r) => {
        const o = byUid.get(r.uid);
        return o?.obj.metadata.finalizers?.includes('foregroundDeletion');
      });
      tolerate(() => api.delete(rt, md.namespace, md.name ?? '', fg ? { propagationPolicy: 'Foreground' } : {}));
    }
  }
}

function removeFinalizer(api: Api, rt: ResourceType, obj: KObject, f: string): void {
  tolerate(() => api.patch(rt, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', { metadata: { finalizers: (obj.metadata.finalizers ?? []).filter((x) => x !== f) } }, { manager: 'garbage-collector' }));
}
