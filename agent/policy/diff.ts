// Incremental application: the agent keeps the last applied result and writes only what changed.
// Apply `add` before `remove` (adds are upserts: a changed value under an existing key is an add)
// so that a key whose verdict changes is never briefly missing from the map.
import { entryKey, policyRefKey, type EndpointEnforcement, type IpcacheEntry, type PolicyEntry } from './entries.ts';

export interface Diff<T> {
  readonly add: T[];
  readonly remove: T[];
}

function diffBy<T>(old: readonly T[], next: readonly T[], key: (x: T) => string, same: (a: T, b: T) => boolean): Diff<T> {
  const before = new Map(old.map((x) => [key(x), x]));
  const after = new Map(next.map((x) => [key(x), x]));
  const add = next.filter((x) => {
    const prev = before.get(key(x));
    return prev === undefined || !same(prev, x);
  });
  const remove = old.filter((x) => !after.has(key(x)));
  return { add, remove };
}

const sameValue = (a: PolicyEntry, b: PolicyEntry) =>
  a.deny === b.deny && a.proxy === b.proxy && a.policies.length === b.policies.length && a.policies.every((p, i) => policyRefKey(p) === policyRefKey(b.policies[i] as typeof p));

export function diffEntries(old: readonly PolicyEntry[], next: readonly PolicyEntry[]): Diff<PolicyEntry> {
  return diffBy(old, next, entryKey, sameValue);
}

export function diffIpcache(old: readonly IpcacheEntry[], next: readonly IpcacheEntry[]): Diff<IpcacheEntry> {
  return diffBy(old, next, (e) => e.prefix, (a, b) => a.identity === b.identity);
}

export function diffEnforcement(old: readonly EndpointEnforcement[], next: readonly EndpointEnforcement[]): Diff<EndpointEnforcement> {
  return diffBy(old, next, (e) => String(e.endpointId), (a, b) => a.ingress === b.ingress && a.egress === b.egress);
}
