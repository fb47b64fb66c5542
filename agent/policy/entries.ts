// The compiler's output, shaped after the datapath's policy map (an LPM trie, bpf/lib/policy.h):
//   key   {endpoint id, direction, remote identity (0 = any), protocol (0 = any),
//          port prefix (port, portBits): the 2^(16 - portBits) ports from `port`; portBits 0 = any}
//   value {allow | deny | proxy, the policies that produced it}
//
// Invariants the datapath can rely on:
// - protocol 0 always comes with port 0 / portBits 0 (an "any protocol" entry never names a port);
// - `port` has no bits set past portBits; a port range is the few aligned blocks that tile it;
// - for ICMP (1) and ICMPv6 (58) the port holds the type, exact (portBits 16), so type 0 (echo
//   reply) is its own key; portBits 0 with protocol 1/58 = every type;
// - deny wins with a longest-prefix lookup per identity (this one, and any; a deny from either
//   wins): wherever a deny key overlaps an allow key of the same identity, the compiler adds a
//   deny at their intersection, which is at least
//   as specific as the allow (port prefixes either nest or are disjoint, so the intersection is
//   the longer one);
// - with enforcement off for a direction, only deny entries exist for it (a miss means allow);
//   with enforcement on, a miss means drop.
import type { Direction, PolicyRef } from './types.ts';

export const PROTO = { any: 0, icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 } as const;

export interface PolicyEntry {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly remoteIdentity: number;
  readonly protocol: number;
  readonly port: number;
  /** How many leading bits of `port` the entry matches: 0 = every port, 16 = exactly `port`. */
  readonly portBits: number;
  readonly deny: boolean;
  /** An allow that holds only through the L7 proxy (every allowing policy has HTTP rules here). */
  readonly proxy?: true;
  /** Sorted; empty only for implicit entries (see CompileOptions.allowHostIngress). */
  readonly policies: readonly PolicyRef[];
}

export interface EndpointEnforcement {
  readonly endpointId: number;
  readonly ingress: boolean;
  readonly egress: boolean;
}

/** Ports whose traffic L7 rules describe: the flow pipeline parses them for visibility. */
export interface L7Visibility {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly protocol: number;
  readonly port: number;
  readonly parser: 'http' | 'dns';
  readonly policies: readonly PolicyRef[];
}

export interface IpcacheEntry {
  readonly prefix: string;
  readonly identity: number;
}

/** The map key of an entry, as one string (for diffs and lookups). */
export function entryKey(e: Pick<PolicyEntry, 'endpointId' | 'direction' | 'remoteIdentity' | 'protocol' | 'port' | 'portBits'>): string {
  return `${e.endpointId}/${e.direction}/${e.remoteIdentity}/${e.protocol}/${e.port}/${e.portBits}`;
}

/** The last port of a port prefix. */
export const prefixEnd = (port: number, bits: number): number => port + (0xffff >> bits);

/** Does the prefix (port, bits) hold `p`? */
export const prefixHolds = (port: number, bits: number, p: number): boolean => bits === 0 || p >> (16 - bits) === port >> (16 - bits);

/**
 * The fewest aligned port blocks that tile [from, to] (at most 2x15 + 1 of them), as
 * [port, portBits]; [0, 65535] is the single block [0, 0].
 */
export function portPrefixes(from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let p = from;
  while (p <= to) {
    let bits = 16;
    // Widen while the block stays aligned at p and inside the range.
    while (bits > 0 && (p & (1 << (16 - bits))) === 0 && p + (1 << (17 - bits)) - 1 <= to) bits--;
    out.push([p, bits]);
    p += 1 << (16 - bits);
  }
  return out;
}

export function policyRefKey(r: PolicyRef): string {
  return `${r.kind}/${r.namespace}/${r.name}`;
}

export function comparePolicyRefs(a: PolicyRef, b: PolicyRef): number {
  const x = policyRefKey(a);
  const y = policyRefKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareEntries(a: PolicyEntry, b: PolicyEntry): number {
  return (
    a.endpointId - b.endpointId ||
    (a.direction === b.direction ? 0 : a.direction === 'ingress' ? -1 : 1) ||
    a.remoteIdentity - b.remoteIdentity ||
    a.protocol - b.protocol ||
    a.port - b.port ||
    a.portBits - b.portBits
  );
}

/** `7 ingress 16092 tcp/80 deny [ns/name]`, for logs and test failures. */
export function formatEntry(e: PolicyEntry): string {
  return entryFormatter(String)(e);
}

/** formatEntry with identities named by `identity` (e.g. `world`, `cidr:10.0.0.0/8`). */
export function entryFormatter(identity: (id: number) => string): (e: PolicyEntry) => string {
  return (e) => {
    const proto = Object.entries(PROTO).find(([, n]) => n === e.protocol)?.[0] ?? String(e.protocol);
    const icmp = e.protocol === PROTO.icmp || e.protocol === PROTO.icmpv6;
    const ports = e.portBits === 16 ? String(e.port) : `${e.port}-${prefixEnd(e.port, e.portBits)}`;
    const l4 = e.protocol === 0 ? 'any' : e.portBits === 0 ? `${proto}/any` : `${proto}/${icmp ? `type${e.port}` : ports}`;
    const by = e.policies.map((p) => `${p.namespace}/${p.name}`).join(',');
    return `${e.endpointId} ${e.direction} ${identity(e.remoteIdentity)} ${l4} ${e.deny ? 'deny' : e.proxy ? 'proxy' : 'allow'} [${by}]`;
  };
}
