// The compiler's output, shaped after the datapath's per-endpoint policy map:
//   key   {endpoint id, direction, remote identity (0 = any), protocol (0 = any), port (0 = any)}
//   value {allow | deny, the policies that produced it}
//
// Invariants the datapath can rely on:
// - protocol 0 always comes with port 0 (an "any protocol" entry never names a port);
// - for ICMP (1) and ICMPv6 (58) the port field holds ICMP_PORT_BASE + type, so type 0
//   (echo reply) is not confused with the wildcard 0; port 0 with protocol 1/58 = every type;
// - deny wins with any lookup order that tries more specific keys first (exact port before port
//   0, exact protocol before protocol 0, exact identity before identity 0): wherever a deny key
//   overlaps an allow key, the compiler adds a deny at their intersection, which is at least as
//   specific as the allow;
// - with enforcement off for a direction, only deny entries exist for it (a miss means allow);
//   with enforcement on, a miss means drop.
import type { Direction, PolicyRef } from './types.ts';

export const PROTO = { any: 0, icmp: 1, tcp: 6, udp: 17, icmpv6: 58, sctp: 132 } as const;
export const ICMP_PORT_BASE = 0x100;

export interface PolicyEntry {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly remoteIdentity: number;
  readonly protocol: number;
  readonly port: number;
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
export function entryKey(e: Pick<PolicyEntry, 'endpointId' | 'direction' | 'remoteIdentity' | 'protocol' | 'port'>): string {
  return `${e.endpointId}/${e.direction}/${e.remoteIdentity}/${e.protocol}/${e.port}`;
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
    a.port - b.port
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
    const l4 = e.protocol === 0 ? 'any' : e.port === 0 ? `${proto}/any` : `${proto}/${icmp ? `type${e.port - ICMP_PORT_BASE}` : e.port}`;
    const by = e.policies.map((p) => `${p.namespace}/${p.name}`).join(',');
    return `${e.endpointId} ${e.direction} ${identity(e.remoteIdentity)} ${l4} ${e.deny ? 'deny' : e.proxy ? 'proxy' : 'allow'} [${by}]`;
  };
}
