// The datapath's policy lookup (bpf/lib/policy.h policy_check) over the compiler's entries: the
// one TypeScript copy, used by `policy explain`, the audit shadow table and the L7 proxies'
// decisions, and held against the kernel by the fuzz test's reference model
// (test/bpf/support/model.ts). The map is an LPM trie: per identity (this one, then any) the
// longest matching key (an exact protocol beats protocol 0, more port bits fewer); a deny in
// either wins, else the allow ranked first below. Keep in sync with policy_check.
import { PROTO, prefixHolds, type PolicyEntry } from './entries.ts';

/** Hubble's policy_match_type names, as `observe` prints them (bpf/lib/policy.h MATCH_*). */
export type MatchType = 'L3-L4' | 'L3-Proto' | 'L4-Only' | 'Proto-Only' | 'L3-Only' | 'all';

export interface ProbeKey {
  readonly remoteIdentity: number;
  readonly protocol: number;
  readonly port: number;
  readonly match: MatchType;
}

/** The two lookups the datapath makes: this identity, then any identity. */
export function policyProbes(remote: number, protocol: number, port: number): ProbeKey[] {
  return [
    { remoteIdentity: remote, protocol, port, match: 'L3-L4' },
    { remoteIdentity: 0, protocol, port, match: 'L4-Only' },
  ];
}

/** The compiler's port for a packet: the L4 destination port, or the ICMP type. */
export function policyPort(protocol: number, dport: number, icmpType: number): number {
  return protocol === PROTO.icmp || protocol === PROTO.icmpv6 ? icmpType : dport;
}

/** The match type of an entry found for this identity (l3) or any: from its key's length. */
export function matchOf(e: PolicyEntry, l3: boolean): MatchType {
  if (e.protocol !== 0 && e.portBits > 0) return l3 ? 'L3-L4' : 'L4-Only';
  if (e.protocol !== 0) return l3 ? 'L3-Proto' : 'Proto-Only';
  return l3 ? 'L3-Only' : 'all';
}

// Allow precedence of policy_rank: with a port, with the protocol only, any protocol; this identity first.
const RANK: Record<MatchType, number> = { 'L3-L4': 0, 'L3-Proto': 1, 'L4-Only': 2, 'Proto-Only': 3, 'L3-Only': 4, all: 5 };

export interface ProbeResult extends ProbeKey {
  readonly entry?: PolicyEntry;
}

export type LookupReason =
  /** Nothing selects the endpoint in this direction: the datapath does not look. */
  | 'not-enforced'
  /** A deny entry was found (any deny wins). */
  | 'deny-entry'
  /** Enforced and no entry allows: default deny. */
  | 'no-allow'
  /** The first (most specific) allow entry. */
  | 'allow'
  /** Allowed only through the L7 proxy. */
  | 'proxy';

export interface LookupResult {
  readonly allowed: boolean;
  readonly reason: LookupReason;
  /** The entry that decided (the deny, or the allow ranked first). */
  readonly entry?: PolicyEntry;
  readonly match?: MatchType;
  /** The two lookups in order, each with the longest entry it found. */
  readonly probes: readonly ProbeResult[];
}

/** The longest entry of one identity holding (protocol, port), as the LPM trie answers. */
export type EntryFinder = (remoteIdentity: number, protocol: number, port: number) => PolicyEntry | undefined;

/** An EntryFinder over one (endpoint, direction) group's entries. */
export function entryFinder(entries: readonly PolicyEntry[]): EntryFinder {
  const len = (e: PolicyEntry) => (e.protocol === 0 ? -1 : e.portBits);
  return (r, proto, port) => {
    let best: PolicyEntry | undefined;
    for (const e of entries) {
      if (e.remoteIdentity !== r || (e.protocol !== 0 && e.protocol !== proto) || !prefixHolds(e.port, e.portBits, port)) continue;
      if (!best || len(e) > len(best)) best = e;
    }
    return best;
  };
}

export function lookupPolicy(find: EntryFinder, enforced: boolean, remote: number, protocol: number, port: number): LookupResult {
  if (!enforced) return { allowed: true, reason: 'not-enforced', probes: [] };
  const probes: ProbeResult[] = policyProbes(remote, protocol, port).map((k) => {
    const entry = find(k.remoteIdentity, protocol, port);
    return entry ? { ...k, match: matchOf(entry, k.remoteIdentity !== 0), entry } : k;
  });
  for (const p of probes) if (p.entry?.deny) return { allowed: false, reason: 'deny-entry', entry: p.entry, match: p.match, probes };
  const allow = probes.filter((p) => p.entry).sort((a, b) => RANK[a.match] - RANK[b.match])[0];
  if (!allow?.entry) return { allowed: false, reason: 'no-allow', probes };
  return { allowed: true, reason: allow.entry.proxy ? 'proxy' : 'allow', entry: allow.entry, match: allow.match, probes };
}
