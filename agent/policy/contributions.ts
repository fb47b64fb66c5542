// What one policy contributes to the policy map, given the cluster as it is: map keys with their
// verdict, the (endpoint, direction) pairs it enforces, and the L7 ports it describes. Computing
// this per policy is what lets a policy change touch only its own contributions.
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import type { LabelSet } from '../identity/labels.ts';
import { MIN_ALLOCATED_IDENTITY, MIN_CIDR_IDENTITY, reservedIdentities } from '../identity/reserved.ts';
import { policyRefKey } from './entries.ts';
import { kubeApiserverIPs, placeApiserver } from './kube-apiserver.ts';
import { collectPrefixes, PeerResolver } from './resolve-peers.ts';
import { resolveL4, usesNamedPorts, type L4Key } from './resolve-ports.ts';
import { formatSelector, selectorMatches, type Selector } from './selector.ts';
import { DIRECTIONS, type Direction, type DnsRule, type HttpRule, type ParsedPolicy, type PeerRule, type PolicyRef } from './types.ts';
import type { FqdnView, IdentityInfo, LocalEndpoint, NamedPort, NodeInfo, ServicesView } from './views.ts';

/** Everything but the policies. */
export interface ClusterView {
  readonly endpoints: readonly LocalEndpoint[];
  /** Cluster-wide identities (>= 256) with their labels; reserved ones are added by the compiler. */
  readonly identities: ReadonlyMap<number, IdentityInfo>;
  /** The node's CIDR identities; synced to the prefixes the policies name. */
  readonly cidrIdentities: CidrIdentities;
  readonly services?: ServicesView;
  readonly nodes?: readonly NodeInfo[];
  /** Names the DNS proxy learnt, for toFQDNs peers. */
  readonly fqdn?: FqdnView;
}

/** [endpointId, direction, remote identity, protocol, port, portBits, deny, allowed only through the proxy] */
export type CellRef = readonly [number, Direction, number, number, number, number, boolean, boolean];

/** HTTP rules one policy puts on an (endpoint, direction, remote, TCP port) cell. */
export interface HttpCell {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly remote: number;
  readonly port: number;
  readonly portBits: number;
  readonly rules: readonly HttpRule[];
}

/** DNS rules one policy puts on an (endpoint, direction, remote, protocol, port) cell. */
export interface DnsCell {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly remote: number;
  readonly protocol: number;
  readonly port: number;
  readonly rules: readonly DnsRule[];
}

export interface L7Ref {
  readonly endpointId: number;
  readonly direction: Direction;
  readonly protocol: number;
  readonly port: number;
  readonly parser: 'http' | 'dns';
}

export interface Contribution {
  readonly ref: PolicyRef;
  readonly refKey: string;
  readonly cells: readonly CellRef[];
  readonly enforce: readonly (readonly [number, Direction])[];
  readonly l7: readonly L7Ref[];
  readonly http: readonly HttpCell[];
  readonly dns: readonly DnsCell[];
  readonly prefixes: readonly string[];
}

/** Runs a step generator to its end, without pausing. */
export function drain<T>(g: Generator<void, T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** Runs a step generator to its end, awaiting `pause` at each step (e.g. a turn of the event loop). */
export async function drainAsync<T>(g: Generator<void, T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    await pause();
  }
}

export function policyPrefixes(policy: ParsedPolicy, view: Pick<ClusterView, 'services' | 'fqdn'>): string[] {
  return collectPrefixes([policy], view.services, view.fqdn);
}

/** Resolution state for one cluster view; CIDR identities must already cover every prefix. */
export class CompileContext {
  readonly #view: ClusterView;
  readonly #peers: PeerResolver;
  readonly #allNamedPorts: NamedPort[];
  readonly #subjects = new Map<string, LocalEndpoint[]>();
  readonly #l4 = new WeakMap<PeerRule, L4Key[]>();

  constructor(view: ClusterView) {
    this.#view = view;
    const universe = new Map<number, LabelSet>(reservedIdentities());
    for (const [id, info] of view.identities) universe.set(id, info.labels);
    const podIdentities = [...view.identities.keys()].filter((id) => id >= MIN_ALLOCATED_IDENTITY && id < MIN_CIDR_IDENTITY);
    const podIPs = new Map<number, readonly string[]>();
    for (const id of podIdentities) podIPs.set(id, view.identities.get(id)?.ips ?? []);
    const apiserver = placeApiserver(kubeApiserverIPs(view.services), view.nodes ?? []);
    this.#peers = new PeerResolver({ universe, podIdentities, cidr: view.cidrIdentities, podIPs, nodes: view.nodes, services: view.services, fqdn: view.fqdn, apiserver });
    this.#allNamedPorts = [...view.identities.values(), ...view.endpoints].flatMap((x) => x.namedPorts ?? []);
  }

  #selected(sel: Selector): LocalEndpoint[] {
    const key = formatSelector(sel);
    let eps = this.#subjects.get(key);
    if (!eps) this.#subjects.set(key, (eps = this.#view.endpoints.filter((ep) => selectorMatches(sel, ep.labels))));
    return eps;
  }

  #keys(pr: PeerRule, ep: LocalEndpoint, dir: Direction, remote: number): L4Key[] {
    if (!usesNamedPorts(pr.l4)) {
      let keys = this.#l4.get(pr);
      if (!keys) this.#l4.set(pr, (keys = resolveL4(pr.l4)));
      return keys;
    }
    // Named ports belong to the destination: the endpoint itself on ingress, the peer on egress.
    if (dir === 'ingress') return resolveL4(pr.l4, ep.namedPorts);
    return resolveL4(pr.l4, remote === 0 ? this.#allNamedPorts : this.#view.identities.get(remote)?.namedPorts);
  }

  contributions(policy: ParsedPolicy): Contribution {
    return drain(this.contributionSteps(policy));
  }

  /** contributions() one peer rule (one entry of ingress/egress/...Deny) at a time: a caller that must not block yields to its event loop between steps. */
  *contributionSteps(policy: ParsedPolicy): Generator<void, Contribution> {
    const cells: CellRef[] = [];
    const enforce: [number, Direction][] = [];
    const l7: L7Ref[] = [];
    const http: HttpCell[] = [];
    const dns: DnsCell[] = [];
    // A DNS rule that allows every name (`matchPattern: "*"`) needs the proxy only to learn the
    // answers of a toFQDNs peer of the same policy; without one it stays in the kernel, which
    // keeps the query's source address (the proxy's upstream leaves from the node's).
    const learns = policy.rules.some((r) => r.allow.egress.some((pr) => pr.peers !== 'any' && pr.peers.some((p) => p.kind === 'fqdn')));
    for (const rule of policy.rules) {
      const eps = this.#selected(rule.subject);
      if (eps.length === 0) continue;
      for (const ep of eps) for (const d of DIRECTIONS) if (rule.enforce[d]) enforce.push([ep.id, d]);
      for (const dir of DIRECTIONS) {
        for (const [prs, deny] of [[rule.allow[dir], false], [rule.deny[dir], true]] as const) {
          for (const pr of prs) {
            yield;
            const remotes = pr.peers === 'any' ? [0] : [...new Set(pr.peers.flatMap((p) => this.#peers.resolve(p)))];
            for (const ep of eps) {
              for (const remote of remotes) {
                for (const k of this.#keys(pr, ep, dir, remote)) {
                  const dnsProxied = k.dns !== undefined && dir === 'egress' && (learns || !k.dns.some((r) => r.matchPattern === '*'));
                  const proxy = !deny && (k.http !== undefined || dnsProxied);
                  cells.push([ep.id, dir, remote, k.protocol, k.port, k.portBits, deny, proxy]);
                  if (proxy && k.http) http.push({ endpointId: ep.id, direction: dir, remote, port: k.port, portBits: k.portBits, rules: k.http });
                  if (proxy && k.dns) dns.push({ endpointId: ep.id, direction: dir, remote, protocol: k.protocol, port: k.port, rules: k.dns });
                  if (k.l7 && !deny) l7.push({ endpointId: ep.id, direction: dir, protocol: k.protocol, port: k.port, parser: k.l7 });
                }
              }
            }
          }
        }
      }
    }
    return { ref: policy.ref, refKey: policyRefKey(policy.ref), cells, enforce, l7, http, dns, prefixes: policyPrefixes(policy, this.#view) };
  }
}
