// The datapath's policy lookup (bpf/lib/policy.h policy_check) over the compiler's entries: the
// one TypeScript copy, used by `policy explain`, the audit shadow table and the L7 proxy's
// decision, and held against the kernel by the fuzz test's reference model
// (test/bpf/support/model.ts). Keys are in the compiler's space (entries.ts): an ICMP type is
// ICMP_PORT_BASE + type. Keep the probe order in sync with policy_check.
import { ICMP_PORT_BASE, PROTO, type PolicyEntry } from './entries.ts';

/** Hubble's policy_match_type names, as `observe` prints them (bpf/lib/policy.h MATCH_*). */
export type MatchType = 'L3-L4' | 'L3-Proto' | 'L4-Only' | 'Proto-Only' | 'L3-Only' | 'all';

export interface ProbeKey {
  readonly remoteIdentity: number;
  readonly protocol: number;
  readonly port: number;
  readonly match: MatchType;
}

/** The six keys the datapath tries, most specific first. */
export function policyProbes(remote: number, protocol: number, port: number): ProbeKey[] {
  return [
    { remoteIdentity: remote, protocol, port, match: 'L3-L4' },
    { remoteIdentity: remote, protocol, port: 0, match: 'L3-Proto' },
    { remoteIdentity: 0, protocol, port, match: 'L4-Only' },
    { remoteIdentity: 0, protocol, port: 0, match: 'Proto-Only' },
    { remoteIdentity: remote, protocol: 0, port: 0, match: 'L3-Only' },
    { remoteIdentity: 0, protocol: 0, port: 0, match: 'all' },
  ];
}

/** The compiler's port for a packet: the L4 destination port, or ICMP_PORT_BASE + the ICMP type. */
export function policyPort(protocol: number, dport: number, icmpType: number): number {
  return protocol === PROTO.icmp || protocol === PROTO.icmpv6 ? ICMP_PORT_BASE + icmpType : dport;
}

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
  /** The entry that decided (the deny, or the most specific allow). */
  readonly entry?: PolicyEntry;
  readonly match?: MatchType;
  /** The keys tried in order, each with what the map held; stops at a deny, as the datapath does. */
  readonly probes: readonly ProbeResult[];
}

export type EntryFinder = (remoteIdentity: number, protocol: number, port: number) => PolicyEntry | undefined;

/** An EntryFinder over one (endpoint, direction) group's entries. */
export function entryFinder(entries: readonly PolicyEntry[]): EntryFinder {
  const byKey = new Map(entries.map((e) => [`${e.remoteIdentity}/${e.protocol}/${e.port}`, e]));
  return (r, proto, port) => byKey.get(`${r}/${proto}/${port}`);
}

export function lookupPolicy(find: EntryFinder, enforced: boolean, remote: number, protocol: number, port: number): LookupResult {
  if (!enforced) return { allowed: true, reason: 'not-enforced', probes: [] };
  const probes: ProbeResult[] = [];
  let allow: ProbeResult | undefined;
  for (const k of policyProbes(remote, protocol, port)) {
    const entry = find(k.remoteIdentity, k.protocol, k.port);
    const p: ProbeResult = entry ? { ...k, entry } : k;
    probes.push(p);
    if (!entry) continue;
    if (entry.deny) return { allowed: false, reason: 'deny-entry', entry, match: k.match, probes };
    allow ??= p;
  }
  if (!allow?.entry) return { allowed: false, reason: 'no-allow', probes };
  return { allowed: true, reason: allow.entry.proxy ? 'proxy' : 'allow', entry: allow.entry, match: allow.match, probes };
}
