// Policies to per-endpoint policy map entries, enforcement flags, the CIDR identities the ipcache
// needs, and the L7 ports to parse for visibility. Pure: the same input gives the same output,
// which is what lets the agent apply changes as diffs (diff.ts) and survive restarts.
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import type { LabelSet } from '../identity/labels.ts';
import { MIN_ALLOCATED_IDENTITY, MIN_CIDR_IDENTITY, ReservedIdentity, reservedIdentities } from '../identity/reserved.ts';
import { comparePolicyRefs, policyRefKey, PROTO, type EndpointEnforcement, type IpcacheEntry, type L7Visibility, type PolicyEntry } from './entries.ts';
import { EntryTable } from './merge.ts';
import { collectPrefixes, PeerResolver } from './resolve-peers.ts';
import { resolveL4, usesNamedPorts, type L4Key } from './resolve-ports.ts';
import { formatSelector, selectorMatches, type Selector } from './selector.ts';
import { DIRECTIONS, type Direction, type ParsedPolicy, type PeerRule, type PolicyRef } from './types.ts';
import type { IdentityInfo, LocalEndpoint, NamedPort, NodeInfo, ServicesView } from './views.ts';

export interface CompileInput {
  readonly policies: readonly ParsedPolicy[];
  readonly endpoints: readonly LocalEndpoint[];
  /** Cluster-wide identities (>= 256) with their labels; reserved ones are added by the compiler. */
  readonly identities: ReadonlyMap<number, IdentityInfo>;
  /** The node's CIDR identities; synced to the prefixes the policies name. */
  readonly cidrIdentities: CidrIdentities;
  readonly services?: ServicesView;
  readonly nodes?: readonly NodeInfo[];
}

export interface CompileOptions {
  /**
   * Let the local host reach enforced endpoints (kubelet probes), as Kubernetes expects. Such
   * entries name no policy. Default true.
   */
  readonly allowHostIngress?: boolean;
}

export interface CompileResult {
  readonly entries: PolicyEntry[];
  readonly enforcement: EndpointEnforcement[];
  readonly ipcache: IpcacheEntry[];
  readonly visibility: L7Visibility[];
}

class Visibility {
  readonly #items = new Map<string, { v: Omit<L7Visibility, 'policies'>; refs: Map<string, PolicyRef> }>();

  add(endpointId: number, direction: Direction, k: L4Key, ref: PolicyRef): void {
    if (!k.l7) return;
    const key = `${endpointId}/${direction}/${k.protocol}/${k.port}/${k.l7}`;
    let it = this.#items.get(key);
    if (!it) this.#items.set(key, (it = { v: { endpointId, direction, protocol: k.protocol, port: k.port, parser: k.l7 }, refs: new Map() }));
    it.refs.set(policyRefKey(ref), ref);
  }

  list(): L7Visibility[] {
    return [...this.#items.values()]
      .map(({ v, refs }) => ({ ...v, policies: [...refs.values()].sort(comparePolicyRefs) }))
      .sort((a, b) => a.endpointId - b.endpointId || a.direction.localeCompare(b.direction) || a.protocol - b.protocol || a.port - b.port);
  }
}

export function compilePolicies(input: CompileInput, opts: CompileOptions = {}): CompileResult {
  input.cidrIdentities.sync(collectPrefixes(input.policies, input.services));
  const universe = new Map<number, LabelSet>(reservedIdentities());
  for (const [id, info] of input.identities) universe.set(id, info.labels);
  const podIdentities = [...input.identities.keys()].filter((id) => id >= MIN_ALLOCATED_IDENTITY && id < MIN_CIDR_IDENTITY);
  const peers = new PeerResolver({ universe, podIdentities, cidr: input.cidrIdentities, nodes: input.nodes, services: input.services });
  const allNamedPorts: NamedPort[] = [...input.identities.values(), ...input.endpoints].flatMap((x) => x.namedPorts ?? []);

  const subjects = new Map<string, LocalEndpoint[]>();
  const selected = (sel: Selector) => {
    const key = formatSelector(sel);
    let eps = subjects.get(key);
    if (!eps) subjects.set(key, (eps = input.endpoints.filter((ep) => selectorMatches(sel, ep.labels))));
    return eps;
  };
  const l4Cache = new WeakMap<PeerRule, L4Key[]>();
  const table = new EntryTable();
  const visibility = new Visibility();
  const enforcement = new Map<number, { ingress: boolean; egress: boolean }>(input.endpoints.map((ep) => [ep.id, { ingress: false, egress: false }]));

  const emit = (ep: LocalEndpoint, dir: Direction, pr: PeerRule, remotes: readonly number[], deny: boolean, ref: PolicyRef) => {
    const named = usesNamedPorts(pr.l4);
    let shared = named ? undefined : l4Cache.get(pr);
    if (!named && !shared) l4Cache.set(pr, (shared = resolveL4(pr.l4)));
    // Named ports belong to the destination: the endpoint itself on ingress, the peer on egress.
    const ingressKeys = named && dir === 'ingress' ? resolveL4(pr.l4, ep.namedPorts) : undefined;
    for (const remote of remotes) {
      const keys = shared ?? ingressKeys ?? resolveL4(pr.l4, remote === 0 ? allNamedPorts : input.identities.get(remote)?.namedPorts);
      for (const k of keys) {
        table.add(ep.id, dir, remote, k.protocol, k.port, deny, ref);
        if (!deny) visibility.add(ep.id, dir, k, ref);
      }
    }
  };

  for (const policy of input.policies) {
    for (const rule of policy.rules) {
      const eps = selected(rule.subject);
      if (eps.length === 0) continue;
      for (const ep of eps) {
        const flags = enforcement.get(ep.id) as { ingress: boolean; egress: boolean };
        for (const d of DIRECTIONS) if (rule.enforce[d]) flags[d] = true;
      }
      for (const dir of DIRECTIONS) {
        for (const [prs, deny] of [[rule.allow[dir], false], [rule.deny[dir], true]] as const) {
          for (const pr of prs) {
            const remotes = pr.peers === 'any' ? [0] : [...new Set(pr.peers.flatMap((p) => peers.resolve(p)))];
            for (const ep of eps) emit(ep, dir, pr, remotes, deny, policy.ref);
          }
        }
      }
    }
  }

  if (opts.allowHostIngress ?? true) {
    for (const [id, f] of enforcement) if (f.ingress) table.add(id, 'ingress', ReservedIdentity.host, PROTO.any, 0, false, undefined);
  }
  return {
    entries: table.finish((id, dir) => enforcement.get(id)?.[dir] ?? false),
    enforcement: [...enforcement].map(([endpointId, f]) => ({ endpointId, ...f })).sort((a, b) => a.endpointId - b.endpointId),
    ipcache: input.cidrIdentities.all().map((c) => ({ prefix: c.prefix, identity: c.identity })),
    visibility: visibility.list(),
  };
}
