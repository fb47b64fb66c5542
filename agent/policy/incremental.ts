// The agent's policy state: keeps every policy's contribution and the resolved entries per
// (endpoint, direction), so that adding, changing or removing one policy re-resolves only the
// groups that policy touches and returns the diff to write. A change that alters the set of CIDR
// prefixes, or any change of the cluster view (endpoints, identities, services, nodes), rebuilds
// everything: CIDR identities and selector results of every policy may move then.
import { ReservedIdentity } from '../identity/reserved.ts';
import { CompileContext, drain, policyPrefixes, type ClusterView, type Contribution } from './contributions.ts';
import { diffEnforcement, diffEntries, diffIpcache, type Diff } from './diff.ts';
import { compareEntries, comparePolicyRefs, policyRefKey, prefixHolds, PROTO, type EndpointEnforcement, type IpcacheEntry, type L7Visibility, type PolicyEntry } from './entries.ts';
import { EntryTable, groupKey } from './merge.ts';
import { entryFinder, lookupPolicy } from './lookup.ts';
import { DIRECTIONS, type Direction, type DnsRule, type HttpRule, type ParsedPolicy, type PeerRule, type PolicyRef } from './types.ts';

/** How the L7 proxy judges one redirected TCP connection (see PolicyCompiler.l7Decision). */
export type L7Decision =
  /** No allow, or a deny: the connection is refused as the datapath would drop it. */
  | { readonly kind: 'denied'; readonly policies: readonly PolicyRef[] }
  /** A plain allow covers it (a policy without L7 rules): every request passes. */
  | { readonly kind: 'all'; readonly policies: readonly PolicyRef[] }
  /** Requests pass when a rule of any of these policies matches. */
  | { readonly kind: 'http'; readonly rules: readonly { readonly policy: PolicyRef; readonly rules: readonly HttpRule[] }[] };

/** How the DNS proxy judges one redirected query (see PolicyCompiler.dnsDecision). */
export type DnsDecision =
  | { readonly kind: 'denied'; readonly policies: readonly PolicyRef[] }
  | { readonly kind: 'all'; readonly policies: readonly PolicyRef[] }
  /** Queries pass when a rule of any of these policies selects the name. */
  | { readonly kind: 'dns'; readonly rules: readonly { readonly policy: PolicyRef; readonly rules: readonly DnsRule[] }[] };

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

export interface CompileDelta {
  readonly entries: Diff<PolicyEntry>;
  readonly enforcement: Diff<EndpointEnforcement>;
  readonly ipcache: Diff<IpcacheEntry>;
  /** True when the change rebuilt everything (for metrics and logs). */
  readonly rebuilt: boolean;
}

/** Map cells added or withdrawn between two pauses of upsertAsync. */
const STEP_CELLS = 2000;

export class PolicyCompiler {
  #view: ClusterView;
  readonly #hostIngress: boolean;
  readonly #policies = new Map<string, ParsedPolicy>();
  #contrib = new Map<string, Contribution>();
  #table = new EntryTable();
  #ctx: CompileContext;
  /** group key -> policies enforcing it */
  #enforcers = new Map<string, Set<string>>();
  #resolved = new Map<string, PolicyEntry[]>();
  #ipcache: IpcacheEntry[] = [];
  /** prefix -> number of policies naming it */
  #prefixCount = new Map<string, number>();

  constructor(view: ClusterView, opts: CompileOptions = {}) {
    this.#view = view;
    this.#hostIngress = opts.allowHostIngress ?? true;
    this.#ctx = this.#rebuildContext();
  }

  /** Replaces all policies at once (agent start, resync). */
  load(policies: readonly ParsedPolicy[]): CompileDelta {
    this.#policies.clear();
    for (const p of policies) this.#policies.set(policyRefKey(p.ref), p);
    return this.#rebuild();
  }

  setView(view: ClusterView): CompileDelta {
    this.#view = view;
    return this.#rebuild();
  }

  upsert(policy: ParsedPolicy): CompileDelta {
    return drain(this.upsertSteps(policy));
  }

  /**
   * upsert() in steps (a rule's contribution, a chunk of map cells, one endpoint's entries), so a
   * caller that must not block awaits a turn of its event loop between them (drainAsync). A change
   * of the CIDR prefix set rebuilds everything in one step. Nothing else may change the compiler
   * until the steps are done.
   */
  *upsertSteps(policy: ParsedPolicy): Generator<void, CompileDelta> {
    const key = policyRefKey(policy.ref);
    const old = this.#contrib.get(key);
    this.#policies.set(key, policy);
    if (this.#prefixSetChanges(old?.prefixes ?? [], policyPrefixes(policy, this.#view))) return this.#rebuild();
    const next = yield* this.#ctx.contributionSteps(policy);
    return yield* this.#incrementalSteps(old, next);
  }

  remove(ref: PolicyRef): CompileDelta {
    const key = policyRefKey(ref);
    const old = this.#contrib.get(key);
    this.#policies.delete(key);
    if (!old) return { entries: { add: [], remove: [] }, enforcement: { add: [], remove: [] }, ipcache: { add: [], remove: [] }, rebuilt: false };
    if (this.#prefixSetChanges(old.prefixes, [])) return this.#rebuild();
    return this.#incremental(old, undefined);
  }

  /** Would replacing `before` by `after` (one policy's prefixes) change the node's prefix set? */
  #prefixSetChanges(before: readonly string[], after: readonly string[]): boolean {
    if (after.some((p) => !this.#prefixCount.has(p))) return true;
    return before.some((p) => this.#prefixCount.get(p) === 1 && !after.includes(p));
  }

  /** Entries per endpoint as they stand (for capacity checks before anything is written). */
  entryCounts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const entries of this.#resolved.values()) {
      const id = entries[0]?.endpointId;
      if (id !== undefined) out.set(id, (out.get(id) ?? 0) + entries.length);
    }
    return out;
  }

  result(): CompileResult {
    const entries = [...this.#resolved.values()].flat();
    entries.sort(compareEntries);
    return { entries, enforcement: this.#enforcement(), ipcache: [...this.#ipcache], visibility: this.#visibility() };
  }

  /**
   * The verdict the datapath's lookup (bpf/lib/policy.h: the longest match for this identity and
   * for any identity, a deny in either wins) gives a TCP connection to `port`, and for a proxy
   * entry the HTTP rules of every policy that put rules on a cell covering it (this remote or any).
   */
  l7Decision(endpointId: number, dir: Direction, remote: number, port: number): L7Decision {
    const v = this.#lookup(endpointId, dir, remote, PROTO.tcp, port);
    if (v.kind !== 'proxy') return v;
    const byRef = new Map<string, { policy: PolicyRef; rules: HttpRule[] }>();
    for (const c of this.#contrib.values()) {
      for (const h of c.http) {
        if (h.endpointId !== endpointId || h.direction !== dir || (h.remote !== 0 && h.remote !== remote) || !prefixHolds(h.port, h.portBits, port)) continue;
        let it = byRef.get(c.refKey);
        if (!it) byRef.set(c.refKey, (it = { policy: c.ref, rules: [] }));
        it.rules.push(...h.rules);
      }
    }
    return { kind: 'http', rules: [...byRef.values()].sort((a, b) => comparePolicyRefs(a.policy, b.policy)) };
  }

  /** As l7Decision, for a query to `protocol`/`port` and the DNS rules of the cells covering it. */
  dnsDecision(endpointId: number, dir: Direction, remote: number, protocol: number, port: number): DnsDecision {
    const v = this.#lookup(endpointId, dir, remote, protocol, port);
    if (v.kind !== 'proxy') return v;
    const byRef = new Map<string, { policy: PolicyRef; rules: DnsRule[] }>();
    for (const c of this.#contrib.values()) {
      for (const d of c.dns) {
        if (d.endpointId !== endpointId || d.direction !== dir || (d.remote !== 0 && d.remote !== remote) || d.protocol !== protocol || d.port !== port) continue;
        let it = byRef.get(c.refKey);
        if (!it) byRef.set(c.refKey, (it = { policy: c.ref, rules: [] }));
        it.rules.push(...d.rules);
      }
    }
    return { kind: 'dns', rules: [...byRef.values()].sort((a, b) => comparePolicyRefs(a.policy, b.policy)) };
  }

  /** The datapath's lookup (agent/policy/lookup.ts: the longest key per identity, a deny wins) for one packet. */
  #lookup(endpointId: number, dir: Direction, remote: number, protocol: number, port: number): { kind: 'denied' | 'all'; policies: readonly PolicyRef[] } | { kind: 'proxy' } {
    const entries = this.#resolved.get(groupKey(endpointId, dir)) ?? [];
    if (!this.#enforced(endpointId, dir)) {
      const deny = entries.find((e) => e.deny && (e.remoteIdentity === 0 || e.remoteIdentity === remote) && (e.protocol === 0 || e.protocol === protocol) && prefixHolds(e.port, e.portBits, port));
      return deny ? { kind: 'denied', policies: deny.policies } : { kind: 'all', policies: [] };
    }
    const allow = lookupPolicy(entryFinder(entries), true, remote, protocol, port).entry;
    if (!allow || allow.deny) return { kind: 'denied', policies: allow?.policies ?? [] };
    return allow.proxy ? { kind: 'proxy' } : { kind: 'all', policies: allow.policies };
  }

  /** One (endpoint, direction) group as the datapath holds it, with the policies enforcing it. */
  group(endpointId: number, dir: Direction): { entries: readonly PolicyEntry[]; enforcers: PolicyRef[] } {
    const refs = [...(this.#enforcers.get(groupKey(endpointId, dir)) ?? [])].map((k) => this.#policies.get(k)?.ref).filter((r): r is PolicyRef => r !== undefined);
    return { entries: this.#resolved.get(groupKey(endpointId, dir)) ?? [], enforcers: refs.sort(comparePolicyRefs) };
  }

  /**
   * The peer rules of a policy that put a cell covering this key on the endpoint: each rule is
   * compiled alone, with the cluster view the entries came from.
   */
  matchingPeerRules(ref: PolicyRef, endpointId: number, dir: Direction, remote: number, protocol: number, port: number, deny: boolean): PeerRule[] {
    const policy = this.#policies.get(policyRefKey(ref));
    if (!policy) return [];
    const out: PeerRule[] = [];
    const none = { ingress: [], egress: [] };
    for (const rule of policy.rules) {
      for (const pr of (deny ? rule.deny : rule.allow)[dir]) {
        const only = { ...none, [dir]: [pr] };
        const alone: ParsedPolicy = { ref, rules: [{ ...rule, allow: deny ? none : only, deny: deny ? only : none }] };
        const hit = this.#ctx.contributions(alone).cells.some(([ep, d, r, pr2, p, bits, isDeny]) =>
          ep === endpointId && d === dir && isDeny === deny && (r === 0 || r === remote) && (pr2 === 0 || pr2 === protocol) && prefixHolds(p, bits, port));
        if (hit) out.push(pr);
      }
    }
    return out;
  }

  #enforced(endpointId: number, dir: Direction): boolean {
    return (this.#enforcers.get(groupKey(endpointId, dir))?.size ?? 0) > 0;
  }

  #enforcement(): EndpointEnforcement[] {
    return this.#view.endpoints
      .map((ep) => ({ endpointId: ep.id, ingress: this.#enforced(ep.id, 'ingress'), egress: this.#enforced(ep.id, 'egress') }))
      .sort((a, b) => a.endpointId - b.endpointId);
  }

  #visibility(): L7Visibility[] {
    const items = new Map<string, { v: Omit<L7Visibility, 'policies'>; refs: Map<string, PolicyRef> }>();
    for (const c of this.#contrib.values()) {
      for (const v of c.l7) {
        const key = `${v.endpointId}/${v.direction}/${v.protocol}/${v.port}/${v.parser}`;
        let it = items.get(key);
        if (!it) items.set(key, (it = { v, refs: new Map() }));
        it.refs.set(c.refKey, c.ref);
      }
    }
    return [...items.values()]
      .map(({ v, refs }) => ({ ...v, policies: [...refs.values()].sort(comparePolicyRefs) }))
      .sort((a, b) => a.endpointId - b.endpointId || a.direction.localeCompare(b.direction) || a.protocol - b.protocol || a.port - b.port);
  }

  #rebuildContext(): CompileContext {
    const prefixes = [...this.#policies.values()].flatMap((p) => policyPrefixes(p, this.#view));
    this.#view.cidrIdentities.sync(prefixes);
    this.#ipcache = this.#view.cidrIdentities.all().map((c) => ({ prefix: c.prefix, identity: c.identity }));
    return new CompileContext(this.#view);
  }

  #rebuild(): CompileDelta {
    const before = this.result();
    this.#table = new EntryTable();
    this.#contrib = new Map();
    this.#enforcers = new Map();
    this.#resolved = new Map();
    this.#prefixCount = new Map();
    this.#ctx = this.#rebuildContext();
    for (const p of this.#policies.values()) this.#apply(this.#ctx.contributions(p), new Set());
    if (this.#hostIngress) {
      for (const ep of this.#view.endpoints) if (this.#enforced(ep.id, 'ingress')) this.#table.add(ep.id, 'ingress', ReservedIdentity.host, PROTO.any, 0, 0, false, undefined);
    }
    for (const ep of this.#view.endpoints) for (const d of DIRECTIONS) this.#resolve(ep.id, d);
    const after = this.result();
    return {
      entries: diffEntries(before.entries, after.entries),
      enforcement: diffEnforcement(before.enforcement, after.enforcement),
      ipcache: diffIpcache(before.ipcache, after.ipcache),
      rebuilt: true,
    };
  }

  #resolve(endpointId: number, dir: Direction): PolicyEntry[] {
    const entries = this.#table.resolveGroup(endpointId, dir, this.#enforced(endpointId, dir));
    const gk = groupKey(endpointId, dir);
    if (entries.length > 0) this.#resolved.set(gk, entries);
    else this.#resolved.delete(gk);
    return entries;
  }

  #apply(c: Contribution, dirty: Set<string>): void {
    drain(this.#applySteps(c, dirty));
  }

  *#applySteps(c: Contribution, dirty: Set<string>): Generator<void, void> {
    this.#contrib.set(c.refKey, c);
    for (const p of new Set(c.prefixes)) this.#prefixCount.set(p, (this.#prefixCount.get(p) ?? 0) + 1);
    for (const [i, [ep, dir, remote, proto, port, portBits, deny, proxy]] of c.cells.entries()) {
      if (i % STEP_CELLS === STEP_CELLS - 1) yield;
      this.#table.add(ep, dir, remote, proto, port, portBits, deny, c.ref, proxy);
      dirty.add(groupKey(ep, dir));
    }
    for (const [ep, dir] of c.enforce) {
      const gk = groupKey(ep, dir);
      let set = this.#enforcers.get(gk);
      if (!set) this.#enforcers.set(gk, (set = new Set()));
      set.add(c.refKey);
      dirty.add(gk);
    }
  }

  *#withdrawSteps(c: Contribution, dirty: Set<string>): Generator<void, void> {
    this.#contrib.delete(c.refKey);
    for (const p of new Set(c.prefixes)) {
      const n = (this.#prefixCount.get(p) ?? 1) - 1;
      if (n > 0) this.#prefixCount.set(p, n);
      else this.#prefixCount.delete(p);
    }
    for (const [i, [ep, dir, remote, proto, port, portBits, deny]] of c.cells.entries()) {
      if (i % STEP_CELLS === STEP_CELLS - 1) yield;
      this.#table.remove(ep, dir, remote, proto, port, portBits, deny, c.refKey);
      dirty.add(groupKey(ep, dir));
    }
    for (const [ep, dir] of c.enforce) {
      const gk = groupKey(ep, dir);
      const set = this.#enforcers.get(gk);
      set?.delete(c.refKey);
      if (set?.size === 0) this.#enforcers.delete(gk);
      dirty.add(gk);
    }
  }

  #incremental(old: Contribution | undefined, next: Contribution | undefined): CompileDelta {
    return drain(this.#incrementalSteps(old, next));
  }

  *#incrementalSteps(old: Contribution | undefined, next: Contribution | undefined): Generator<void, CompileDelta> {
    const endpoints = new Map(this.#view.endpoints.map((ep) => [ep.id, ep]));
    const touched = new Set<number>([...(old?.enforce ?? []), ...(next?.enforce ?? [])].map(([ep]) => ep));
    const flagsBefore = new Map([...touched].map((ep) => [ep, { endpointId: ep, ingress: this.#enforced(ep, 'ingress'), egress: this.#enforced(ep, 'egress') }]));
    const dirty = new Set<string>();
    if (old) yield* this.#withdrawSteps(old, dirty);
    if (next) yield* this.#applySteps(next, dirty);
    const enforcement: Diff<EndpointEnforcement> = { add: [], remove: [] };
    for (const [ep, before] of flagsBefore) {
      const after = { endpointId: ep, ingress: this.#enforced(ep, 'ingress'), egress: this.#enforced(ep, 'egress') };
      if (after.ingress === before.ingress && after.egress === before.egress) continue;
      enforcement.add.push(after);
      if (this.#hostIngress && after.ingress !== before.ingress) {
        if (after.ingress) this.#table.add(ep, 'ingress', ReservedIdentity.host, PROTO.any, 0, 0, false, undefined);
        else this.#table.remove(ep, 'ingress', ReservedIdentity.host, PROTO.any, 0, 0, false, '');
      }
      for (const d of DIRECTIONS) dirty.add(groupKey(ep, d));
    }
    const entries: Diff<PolicyEntry> = { add: [], remove: [] };
    for (const gk of dirty) {
      yield;
      const [id, dir] = gk.split('/') as [string, Direction];
      if (!endpoints.has(Number(id))) continue;
      const d = diffEntries(this.#resolved.get(gk) ?? [], this.#resolve(Number(id), dir));
      entries.add.push(...d.add);
      entries.remove.push(...d.remove);
    }
    return { entries, enforcement, ipcache: { add: [], remove: [] }, rebuilt: false };
  }
}
