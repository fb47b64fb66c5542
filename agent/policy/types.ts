// The policy model every source (Kubernetes NetworkPolicy, netobs NetworkPolicy and
// ClusterwideNetworkPolicy) is parsed into and the compiler reads. Selectors in it are already
// scoped (namespace added where the policy kind implies one), so the compiler has no kind-specific
// logic apart from what `enforce` says.
import type { Selector } from './selector.ts';

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** The kind a Flow's Policy.kind shows; names as Hubble users know them from Cilium. */
export type PolicyKind = 'NetworkPolicy' | 'NetobsNetworkPolicy' | 'NetobsClusterwideNetworkPolicy';

export interface PolicyRef {
  readonly kind: PolicyKind;
  readonly namespace: string; // '' for clusterwide
  readonly name: string;
}

export { ENTITIES, type Entity } from '../../api/policy-entities.ts';
import type { Entity } from '../../api/policy-entities.ts';

export type Peer =
  | { readonly kind: 'endpoints'; readonly selector: Selector }
  | { readonly kind: 'entity'; readonly entity: Entity }
  /**
   * Normalized prefixes; excepts lie inside cidr. `pods`: the CIDR also selects pods whose IPs
   * lie inside it (a Kubernetes ipBlock, as upstream's tests expect); without it only addresses
   * outside the cluster match (netobs CIDR rules, as Cilium's).
   */
  | { readonly kind: 'cidr'; readonly cidr: string; readonly except: readonly string[]; readonly pods?: boolean }
  /** Node labels; resolves to host / remote-node. */
  | { readonly kind: 'nodes'; readonly selector: Selector }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'service-selector'; readonly namespace: string | undefined; readonly selector: Selector }
  /** toFQDNs: the addresses the DNS proxy learnt for the names these select (as /32 or /128 CIDRs). */
  | { readonly kind: 'fqdn'; readonly selectors: readonly DnsRule[] };

export type Protocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface HttpRule {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: readonly string[];
}
export interface DnsRule {
  readonly matchName?: string;
  readonly matchPattern?: string;
}
/** L7 rules; accepted only where exact (see ENFORCED_L7 in parse-ports.ts), reported for visibility. */
export interface L7Rules {
  readonly http?: readonly HttpRule[];
  readonly dns?: readonly DnsRule[];
}

export type L4Rule =
  /** port 0 = every port; a string is a named port; endPort makes a range. */
  | { readonly kind: 'port'; readonly protocol: Protocol; readonly port: number | string; readonly endPort?: number; readonly l7?: L7Rules }
  | { readonly kind: 'icmp'; readonly family: 4 | 6; readonly type: number };

/** Peers AND ports: traffic matches when its peer is in `peers` and its L4 in `l4`. */
export interface PeerRule {
  readonly peers: readonly Peer[] | 'any';
  readonly l4: readonly L4Rule[] | 'any';
}

export interface PolicyRule {
  /** Which endpoints the rule applies to. */
  readonly subject: Selector;
  /** Directions in which a selected endpoint becomes default-deny. */
  readonly enforce: Readonly<Record<Direction, boolean>>;
  readonly allow: Readonly<Record<Direction, readonly PeerRule[]>>;
  readonly deny: Readonly<Record<Direction, readonly PeerRule[]>>;
}

export interface ParsedPolicy {
  readonly ref: PolicyRef;
  readonly rules: readonly PolicyRule[];
}
