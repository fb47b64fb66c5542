// Peers to remote identities. Selectors are matched against every known identity (cluster ones
// and reserved ones); entities, CIDRs, nodes and services map as documented below. Results are
// memoized per compile, because thousands of rules share a few selectors.
// A CIDR resolves to the CIDR identities of the prefixes inside it (addresses outside the
// cluster: the ipcache gives pod IPs their pod's identity). A Kubernetes ipBlock (`pods`) also
// resolves to the identity of every pod whose IP lies inside the CIDR and outside its excepts, as
// the upstream NetworkPolicy tests expect. The datapath decides per identity, not per address, so
// a pod identity is taken only when every pod holding it is inside: pods that share their labels
// with a pod outside the block are not matched by address (never more than the block allows).
import { containsPrefix, normalizePrefix, parsePrefix, type Prefix } from '../identity/cidr.ts';
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import { NAMESPACE_KEY, label, labelSet, type LabelSet } from '../identity/labels.ts';
import { ReservedIdentity } from '../identity/reserved.ts';
import { formatSelector, selectorMatches, type Selector } from './selector.ts';
import { cidrHoldsApiserver, type ApiserverPlacement } from './kube-apiserver.ts';
import type { Entity, ParsedPolicy, Peer } from './types.ts';
import type { FqdnView, NodeInfo, ServiceInfo, ServicesView } from './views.ts';

/** Every reserved identity that stands for something inside the cluster. */
const CLUSTER_RESERVED = [1, 3, 4, 5, 6, 7, 8];

export interface PeerContext {
  /** Cluster identities and reserved identities, with their labels. */
  readonly universe: ReadonlyMap<number, LabelSet>;
  /** Identities allocated to pods (>= 256). */
  readonly podIdentities: readonly number[];
  readonly cidr: CidrIdentities;
  /** Pod IPs per pod identity, for Kubernetes ipBlocks. */
  readonly podIPs?: ReadonlyMap<number, readonly string[]>;
  readonly nodes?: readonly NodeInfo[];
  readonly services?: ServicesView;
  readonly fqdn?: FqdnView;
  readonly apiserver?: ApiserverPlacement;
}

const k8sLabels = (m: Readonly<Record<string, string>>, ns?: string) =>
  labelSet([...Object.entries(m).map(([k, v]) => label('k8s', k, v)), ...(ns === undefined ? [] : [label('k8s', NAMESPACE_KEY, ns)])]);

function serviceSelector(svc: ServiceInfo): Selector | undefined {
  if (!svc.selector || Object.keys(svc.selector).length === 0) return undefined;
  const reqs = Object.entries({ ...svc.selector, [NAMESPACE_KEY]: svc.namespace }).map(([key, v]) => ({ source: 'k8s', key, operator: 'In' as const, values: [v] }));
  return { requirements: reqs };
}

function servicesOf(peer: Peer, view: ServicesView | undefined): ServiceInfo[] {
  if (!view) return [];
  if (peer.kind === 'service') return [view.get(peer.namespace, peer.name)].filter((s) => s !== undefined);
  if (peer.kind !== 'service-selector') return [];
  return view.list().filter((s) => (peer.namespace === undefined || s.namespace === peer.namespace) && selectorMatches(peer.selector, k8sLabels(s.labels)));
}

/** Every prefix the policies need a CIDR identity for (their CIDRs, excepts, selector-less services, learnt FQDN addresses). */
export function collectPrefixes(policies: readonly ParsedPolicy[], services?: ServicesView, fqdn?: FqdnView): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    for (const r of p.rules) {
      for (const pr of [...r.allow.ingress, ...r.allow.egress, ...r.deny.ingress, ...r.deny.egress]) {
        if (pr.peers === 'any') continue;
        for (const peer of pr.peers) {
          if (peer.kind === 'cidr') [peer.cidr, ...peer.except].forEach((c) => out.add(c));
          if (peer.kind === 'fqdn') {
            for (const ip of fqdn?.ips(peer.selectors) ?? []) {
              const n = normalizePrefix(ip);
              if (n) out.add(n);
            }
          }
          for (const svc of servicesOf(peer, services)) {
            if (serviceSelector(svc)) continue;
            for (const ip of svc.endpointIPs) {
              const n = normalizePrefix(ip);
              if (n) out.add(n);
            }
          }
        }
      }
    }
  }
  return [...out];
}

export class PeerResolver {
  readonly #ctx: PeerContext;
  readonly #bySelector = new Map<string, number[]>();
  readonly #byPeer = new Map<string, number[]>();
  /** Identities by namespace, so a namespaced selector only looks at its namespace. */
  readonly #byNamespace = new Map<string, [number, LabelSet][]>();

  constructor(ctx: PeerContext) {
    this.#ctx = ctx;
    for (const [id, labels] of ctx.universe) {
      const ns = labels.find((l) => l.key === NAMESPACE_KEY && l.source === 'k8s')?.value;
      if (ns === undefined) continue;
      const list = this.#byNamespace.get(ns);
      if (list) list.push([id, labels]);
      else this.#byNamespace.set(ns, [[id, labels]]);
    }
  }

  #candidates(sel: Selector): Iterable<[number, LabelSet]> {
    const ns = sel.requirements.find((r) => r.key === NAMESPACE_KEY && r.operator === 'In' && r.source !== 'reserved');
    return ns ? ns.values.flatMap((v) => this.#byNamespace.get(v) ?? []) : this.#ctx.universe;
  }

  selectorIds(sel: Selector): number[] {
    const key = formatSelector(sel);
    let ids = this.#bySelector.get(key);
    if (!ids) {
      ids = [];
      for (const [id, labels] of this.#candidates(sel)) if (selectorMatches(sel, labels)) ids.push(id);
      ids.sort((a, b) => a - b);
      this.#bySelector.set(key, ids);
    }
    return ids;
  }

  /** Remote identities of a peer; [0] means any identity. */
  resolve(peer: Peer): number[] {
    const key = peer.kind === 'endpoints' || peer.kind === 'nodes' ? `${peer.kind}:${formatSelector(peer.selector)}` : JSON.stringify(peer);
    let ids = this.#byPeer.get(key);
    if (!ids) {
      ids = [...new Set(this.#resolve(peer))].sort((a, b) => a - b);
      this.#byPeer.set(key, ids);
    }
    return ids;
  }

  #resolve(peer: Peer): number[] {
    switch (peer.kind) {
      case 'endpoints':
        return this.selectorIds(peer.selector);
      case 'entity':
        return this.#entity(peer.entity);
      case 'cidr': {
        const outer = parsePrefix(peer.cidr) as Prefix;
        const except = peer.except.map((e) => parsePrefix(e) as Prefix);
        const ids = this.#ctx.cidr.within(outer, except);
        if (peer.pods) ids.push(...this.#podsWithin(outer, except));
        if (this.#ctx.apiserver && cidrHoldsApiserver(this.#ctx.apiserver, outer, except)) ids.push(ReservedIdentity['kube-apiserver']);
        // A /0 is the world identity itself (for both families: netobs has one world identity).
        return outer.bits === 0 ? [ReservedIdentity.world, ...ids] : ids;
      }
      case 'nodes': {
        const matched = (this.#ctx.nodes ?? []).filter((n) => selectorMatches(peer.selector, k8sLabels(n.labels)));
        const onApiserver = matched.some((n) => !n.local && this.#ctx.apiserver?.remoteNodes.has(n.name));
        return [
          ...(matched.some((n) => n.local) ? [ReservedIdentity.host] : []),
          ...(matched.some((n) => !n.local) ? [ReservedIdentity['remote-node']] : []),
          ...(onApiserver ? [ReservedIdentity['kube-apiserver']] : []),
        ];
      }
      case 'fqdn':
        return (this.#ctx.fqdn?.ips(peer.selectors) ?? []).flatMap((ip) => {
          const id = this.#ctx.cidr.identityOf(ip);
          return id === undefined ? [] : [id];
        });
      case 'service':
      case 'service-selector':
        return servicesOf(peer, this.#ctx.services).flatMap((svc) => {
          const sel = serviceSelector(svc);
          if (sel) return this.selectorIds(sel);
          // A backend outside the cluster that is also the API server's address carries the
          // kube-apiserver identity (7) in the ipcache, not its CIDR identity: both are the Service's.
          const api = this.#ctx.apiserver?.external ?? [];
          return svc.endpointIPs.flatMap((ip) => {
            const id = this.#ctx.cidr.identityOf(ip);
            return [...(id === undefined ? [] : [id]), ...(api.includes(ip) ? [ReservedIdentity['kube-apiserver']] : [])];
          });
        });
    }
  }

  /** Pod identities all of whose pod IPs lie inside `outer` and outside every except. */
  #podsWithin(outer: Prefix, except: readonly Prefix[]): number[] {
    const out: number[] = [];
    for (const [id, ips] of this.#ctx.podIPs ?? []) {
      const inside = (ip: string) => {
        const p = parsePrefix(ip);
        return p !== undefined && containsPrefix(outer, p) && !except.some((e) => containsPrefix(e, p));
      };
      if (ips.length > 0 && ips.every(inside)) out.push(id);
    }
    return out;
  }

  /** kube-apiserver (7) is also a remote node, or world, where the server runs (kube-apiserver.ts). */
  #entity(e: Entity): number[] {
    const api = this.#ctx.apiserver;
    switch (e) {
      case 'all':
        return [0];
      case 'none':
        return [];
      case 'world':
        return [ReservedIdentity.world, ...this.#ctx.cidr.all().map((c) => c.identity), ...(api?.external.length ? [ReservedIdentity['kube-apiserver']] : [])];
      case 'kube-apiserver':
        return [ReservedIdentity['kube-apiserver'], ...(api?.local ? [ReservedIdentity.host] : [])];
      case 'remote-node':
        return [ReservedIdentity['remote-node'], ...(api?.remoteNodes.size ? [ReservedIdentity['kube-apiserver']] : [])];
      case 'cluster':
        return [...CLUSTER_RESERVED, ...this.#ctx.podIdentities];
      default:
        return [ReservedIdentity[e]];
    }
  }
}
