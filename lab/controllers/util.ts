// Helpers every lab controller uses: typed-enough accessors, owner references, hashes, events.
import { createHash } from 'node:crypto';
import type { Api } from '../apiserver/api.ts';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, OwnerReference } from '../apiserver/types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = Record<string, any>;

export const spec = (o: KObject): Any => (o['spec'] ??= {}) as Any;
export const status = (o: KObject): Any => (o['status'] ??= {}) as Any;

export function ownerRef(owner: KObject): OwnerReference {
  return { apiVersion: owner.apiVersion ?? '', kind: owner.kind ?? '', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function controlledBy(o: KObject, owner: KObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid);
}

/** Short stable hash in the alphabet of pod-template-hash values. */
export function shortHash(v: unknown, n = 10): string {
  const digest = createHash('sha256').update(JSON.stringify(v)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[digest[i]! % alphabet.length];
  return s;
}

export const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Writes only when something changed, ignoring conflicts and vanished objects (the next pass retries). */
export function tolerate(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError && (e.code === 409 || e.code === 404 || e.code === 403)) return;
    throw e;
  }
}

export function setStatus(api: Api, group: string, resource: string, o: KObject, next: Any, manager: string): void {
  if (JSON.stringify(o['status'] ?? {}) === JSON.stringify(next)) return;
  tolerate(() => api.update(api.rt(group, resource), o.metadata.namespace, o.metadata.name ?? '', { ...o, status: next }, { subresource: 'status', manager }));
}

let eventSeq = 0;

/** A core/v1 Event about an object, as `kubectl describe` and `kubectl get events` show them. */
export function recordEvent(api: Api, o: KObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
  const ns = o.metadata.namespace ?? 'default';
  const ts = nowIso();
  tolerate(() =>
    api.create(api.rt('', 'events'), ns, {
      metadata: { name: `${o.metadata.name}.${Date.now().toString(16)}${(eventSeq++).toString(16)}`, namespace: ns },
      involvedObject: { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid, apiVersion: o.apiVersion, resourceVersion: o.metadata.resourceVersion },
      reason,
      message,
      type,
      source: { component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: component,
      reportingInstance: '',
    }),
  );
}

export function isPodReady(p: KObject): boolean {
  return ((status(p)['conditions'] ?? []) as Any[]).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

export function isTerminating(o: KObject): boolean {
  return !!o.metadata.deletionTimestamp;
}

export function isPodDone(p: KObject): boolean {
  const ph = status(p)['phase'];
  return ph === 'Succeeded' || ph === 'Failed';
}
