// Garbage collection of cluster-wide identities. An identity is garbage once no pod in the
// cluster has its label set for a whole grace period. Deciding by label set rather than by id
// keeps duplicates (see allocator.ts) alive while their labels are in use, and the grace period
// covers the window in which a node allocated an identity for a pod that others have not seen.
//
// The decision is pure and the same on every node that sees the same pods; one agent (the
// holder of a lease, or all of them: deleting twice is harmless) applies it.
import { labelSetKey } from './labels.ts';
import type { StoredIdentity } from './store.ts';

export const DEFAULT_GC_GRACE_MS = 15 * 60 * 1000;

export interface GcInput {
  readonly identities: readonly StoredIdentity[];
  /** labelSetKey of every pod's security labels, cluster-wide. */
  readonly liveLabelKeys: ReadonlySet<string>;
  /** From the previous round: id -> first time it was seen unused (ms). */
  readonly unusedSince: ReadonlyMap<number, number>;
  readonly now: number;
  readonly graceMs?: number;
}

export interface GcPlan {
  readonly deleteIds: number[];
  /** Carry into the next round. */
  readonly unusedSince: Map<number, number>;
}

export function planIdentityGc(input: GcInput): GcPlan {
  const grace = input.graceMs ?? DEFAULT_GC_GRACE_MS;
  const deleteIds: number[] = [];
  const unusedSince = new Map<number, number>();
  for (const s of input.identities) {
    if (input.liveLabelKeys.has(labelSetKey(s.labels))) continue;
    const since = input.unusedSince.get(s.id) ?? input.now;
    if (input.now - since >= grace) deleteIds.push(s.id);
    else unusedSince.set(s.id, since);
  }
  return { deleteIds: deleteIds.sort((a, b) => a - b), unusedSince };
}
