// Reserved identities: fixed numbers shared with Cilium and Hubble (compat-facts.md), so flows
// print `(world)` / `(host)` and policies that name entities mean the same thing.
import { label, labelSet, type LabelSet } from './labels.ts';

export const ReservedIdentity = {
  unknown: 0,
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
} as const;

export type ReservedName = keyof typeof ReservedIdentity;

/** First identity the cluster-wide allocator hands out. */
export const MIN_ALLOCATED_IDENTITY = 256;
/** Upper bound (exclusive) of cluster-wide identities; the datapath may rely on 16 bits. */
export const MAX_ALLOCATED_IDENTITY = 65536;
/** First node-local CIDR identity (bit 24 set, as in Cilium). */
export const MIN_CIDR_IDENTITY = 16_777_216;

const byNumber = new Map<number, ReservedName>(
  Object.entries(ReservedIdentity).map(([name, id]) => [id, name as ReservedName]),
);

export function reservedName(id: number): ReservedName | undefined {
  return byNumber.get(id);
}

export function isReserved(id: number): boolean {
  return id < MIN_ALLOCATED_IDENTITY;
}

export function isCidrIdentity(id: number): boolean {
  return id >= MIN_CIDR_IDENTITY;
}

/** The labels of a reserved identity (`reserved:host`), what selectors on `reserved:` keys see. */
export function reservedLabels(id: number): LabelSet {
  const name = byNumber.get(id);
  return name === undefined || id === 0 ? [] : labelSet([label('reserved', name)]);
}

/** Every reserved identity except unknown, with its labels: part of every selector universe. */
export function reservedIdentities(): ReadonlyMap<number, LabelSet> {
  const out = new Map<number, LabelSet>();
  for (const id of byNumber.keys()) if (id !== 0) out.set(id, reservedLabels(id));
  return out;
}

/** Name for display (`host`, `world`), or the number. */
export function identityName(id: number): string {
  return byNumber.get(id) ?? String(id);
}
