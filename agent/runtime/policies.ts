// The policies the agent enforces, kept in step with the policy objects it watches: each object
// is parsed whole (validatePolicy's rules); a valid one is (re)compiled, an invalid one gets
// Valid=False and changes nothing (a policy that was valid before keeps its last valid version
// enforced), a deleted one is withdrawn. A policy whose entries would not fit the policy map
// (capacity.ts) is invalid too, found on the compiler's state before anything is written.
// Returns the compiler's deltas for the caller to write.
// A policy annotated netobs.io/audit: "true" is kept out of the enforced table and compiled, with
// the enforced ones, into a shadow table that flows are judged against (audit.ts).
import { AUDIT_ANNOTATION } from '../../api/kube-names.ts';
import type { Policy } from '../../api/types.ts';
import { CidrIdentities } from '../identity/cidr-identities.ts';
import { policyRefKey } from '../policy/entries.ts';
import type { PolicyObject } from '../../lib/kube-objects.ts';
import type { PolicyValidity } from '../k8s/source.ts';
import { capacityProblem, DEFAULT_ENDPOINT_CAPACITY, type PolicyCapacity } from '../policy/capacity.ts';
import { PolicyCompiler, type CompileDelta, type ClusterView } from '../policy/compile.ts';
import { drain } from '../policy/contributions.ts';
import { PolicyInvalid } from '../policy/invalid.ts';
import { selectorMatches } from '../policy/selector.ts';
import type { Direction, ParsedPolicy, PolicyRef } from '../policy/types.ts';
import { parsePolicy, NETOBS_POLICY_API_VERSION } from '../policy/validate.ts';
import type { LabelSet } from '../identity/labels.ts';

interface Applied {
  readonly version: string;
  readonly parsed: ParsedPolicy;
  /** Annotated netobs.io/audit: compiled into the shadow table only, never enforced. */
  readonly audit: boolean;
}

export interface ValidityUpdate {
  readonly obj: PolicyObject;
  readonly validity: PolicyValidity;
}

const version = (o: PolicyObject): string => `${o.metadata.uid ?? ''}/${o.metadata.resourceVersion ?? ''}/${o.metadata.generation ?? ''}`;

export function isNetobsPolicy(o: PolicyObject): boolean {
  return o.apiVersion === NETOBS_POLICY_API_VERSION;
}

export class PolicyState {
  readonly compiler: PolicyCompiler;
  readonly #applied = new Map<string, Applied>();
  /** Last version seen per object key (valid or not), so unchanged objects are skipped. */
  readonly #seen = new Map<string, string>();
  readonly invalid = new Map<string, string>();
  revision = 0;

  #view: ClusterView;
  /**
   * Enforced and audit policies together, compiled as if all were enforced: what the datapath
   * would hold without the audit annotations (audit.ts judges flows against it). Only while an
   * audit policy exists; its CIDR identities are its own, so audit-only prefixes never reach the
   * datapath's ipcache.
   */
  #shadow: PolicyCompiler | undefined;
  readonly #shadowCidr = new CidrIdentities();

  readonly #capacity: PolicyCapacity;

  constructor(view: ClusterView, capacity: PolicyCapacity = { perEndpoint: DEFAULT_ENDPOINT_CAPACITY, total: 65_536 }) {
    this.#view = view;
    this.compiler = new PolicyCompiler(view);
    this.#capacity = capacity;
  }

  /** The cluster changed: both tables follow; returns the enforced table's delta. */
  setView(view: ClusterView): CompileDelta {
    this.#view = view;
    this.#shadow?.setView(this.#shadowView());
    return this.compiler.setView(view);
  }

  /** The shadow table (undefined when no policy is in audit mode) and the audit policies' keys. */
  get shadow(): { compiler: PolicyCompiler; cidr: CidrIdentities; audit: ReadonlySet<string> } | undefined {
    return this.#shadow && { compiler: this.#shadow, cidr: this.#shadowCidr, audit: this.#auditKeys };
  }

  #auditKeys: ReadonlySet<string> = new Set();

  #shadowView(): ClusterView {
    return { ...this.#view, cidrIdentities: this.#shadowCidr };
  }

  get count(): number {
    return this.#applied.size;
  }

  /** The enforced policies (audit ones excluded). */
  parsed(): ParsedPolicy[] {
    return [...this.#applied.values()].filter((a) => !a.audit).map((a) => a.parsed);
  }

  /** Applies the objects as they are now; `initial` loads everything in one compile. */
  sync(objects: ReadonlyMap<string, PolicyObject>, initial: boolean): { deltas: CompileDelta[]; validity: ValidityUpdate[] } {
    return drain(this.syncSteps(objects, initial));
  }

  /** sync() in steps (see PolicyCompiler.upsertSteps): the agent yields to its event loop between them. */
  *syncSteps(objects: ReadonlyMap<string, PolicyObject>, initial: boolean): Generator<void, { deltas: CompileDelta[]; validity: ValidityUpdate[] }> {
    const deltas: CompileDelta[] = [];
    const validity: ValidityUpdate[] = [];
    const upserts: ParsedPolicy[] = [];
    const removed: PolicyRef[] = [];
    const shadowUpserts: ParsedPolicy[] = [];
    const shadowRemoved: PolicyRef[] = [];
    const pending = new Map<ParsedPolicy, { key: string; obj: PolicyObject; v: string; audit: boolean }>();
    const accept = (p: ParsedPolicy) => {
      const { key, obj, v, audit } = pending.get(p)!;
      this.invalid.delete(key);
      this.#applied.set(key, { version: v, parsed: p, audit });
      shadowUpserts.push(p);
      if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: true, message: audit ? `Policy validation succeeded; audit mode (${AUDIT_ANNOTATION}): not enforced` : 'Policy validation succeeded', ...gen(obj) } });
    };
    const refuse = (p: ParsedPolicy, message: string) => {
      const { key, obj } = pending.get(p)!;
      this.invalid.set(key, message);
      if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: false, message, ...gen(obj) } });
    };
    for (const [key, obj] of objects) {
      const v = version(obj);
      if (this.#seen.get(key) === v) continue;
      this.#seen.set(key, v);
      let parsed: ParsedPolicy;
      try {
        parsed = parsePolicy(obj);
      } catch (err) {
        if (!(err instanceof PolicyInvalid)) throw err;
        this.invalid.set(key, err.message);
        if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: false, message: err.message, ...gen(obj) } });
        continue;
      }
      const audit = isAudit(obj);
      pending.set(parsed, { key, obj, v, audit });
      if (!audit) {
        upserts.push(parsed);
        continue;
      }
      // An audit policy leaves the enforced table (if it was enforced) and goes to the shadow only.
      if (this.#applied.get(key)?.audit === false) removed.push(parsed.ref);
      accept(parsed);
    }
    for (const key of [...this.#seen.keys()]) {
      if (objects.has(key)) continue;
      this.#seen.delete(key);
      this.invalid.delete(key);
      const a = this.#applied.get(key);
      if (!a) continue;
      this.#applied.delete(key);
      if (!a.audit) removed.push(a.parsed.ref);
      shadowRemoved.push(a.parsed.ref);
    }
    if (initial) {
      const fresh = new Set(upserts.map((p) => policyRefKey(p.ref)));
      const kept = this.parsed().filter((p) => !fresh.has(policyRefKey(p.ref)));
      deltas.push(this.compiler.load([...kept, ...upserts]));
      if (capacityProblem(this.compiler.entryCounts(), this.#capacity) === undefined) upserts.forEach(accept);
      else {
        // Over capacity: start again one policy at a time, so only the ones that do not fit are refused.
        deltas.push(this.compiler.load(this.parsed()));
        for (const p of upserts) yield* this.#tryUpsert(p, deltas, accept, refuse);
      }
    } else {
      for (const r of removed) deltas.push(this.compiler.remove(r));
      for (const p of upserts) yield* this.#tryUpsert(p, deltas, accept, refuse);
    }
    this.#syncShadow(shadowUpserts, shadowRemoved);
    if (upserts.length || removed.length || shadowUpserts.length || shadowRemoved.length || initial) this.revision++;
    return { deltas, validity };
  }

  /**
   * Compiles `p` in; when the result would not fit, compiles back what was there (the previous
   * version, or nothing) and keeps neither delta: the kernel never sees the policy.
   */
  *#tryUpsert(p: ParsedPolicy, deltas: CompileDelta[], accept: (p: ParsedPolicy) => void, refuse: (p: ParsedPolicy, why: string) => void): Generator<void, void> {
    const d = yield* this.compiler.upsertSteps(p);
    const problem = capacityProblem(this.compiler.entryCounts(), this.#capacity);
    if (problem === undefined) {
      deltas.push(d);
      accept(p);
      return;
    }
    const prev = [...this.#applied.values()].find((a) => !a.audit && policyRefKey(a.parsed.ref) === policyRefKey(p.ref));
    if (prev) yield* this.compiler.upsertSteps(prev.parsed);
    else this.compiler.remove(p.ref);
    refuse(p, problem);
  }

  /** The fullest endpoint's entries over the per-endpoint capacity (0..1). */
  endpointPressure(): number {
    return Math.max(0, ...this.compiler.entryCounts().values()) / this.#capacity.perEndpoint;
  }

  #syncShadow(upserts: readonly ParsedPolicy[], removed: readonly PolicyRef[]): void {
    const all = [...this.#applied.values()];
    this.#auditKeys = new Set(all.filter((a) => a.audit).map((a) => policyRefKey(a.parsed.ref)));
    if (this.#auditKeys.size === 0) {
      this.#shadow = undefined;
      return;
    }
    if (!this.#shadow) {
      this.#shadow = new PolicyCompiler(this.#shadowView());
      this.#shadow.load(all.map((a) => a.parsed));
      return;
    }
    for (const p of upserts) this.#shadow.upsert(p);
    for (const r of removed) this.#shadow.remove(r);
  }

  /** Policies that make an endpoint with these labels default-deny in a direction. */
  enforcers(labels: LabelSet, dir: Direction): PolicyRef[] {
    return this.parsed()
      .filter((p) => p.rules.some((r) => r.enforce[dir] && selectorMatches(r.subject, labels)))
      .map((p) => p.ref);
  }

  /** The Flow Policy message of a ref. */
  static flowPolicy(ref: PolicyRef, revision: number): Policy {
    return {
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      kind: ref.kind,
      revision,
      labels: [
        `k8s:io.cilium.k8s.policy.derived-from=${ref.kind}`,
        `k8s:io.cilium.k8s.policy.name=${ref.name}`,
        ...(ref.namespace ? [`k8s:io.cilium.k8s.policy.namespace=${ref.namespace}`] : []),
      ],
    };
  }
}

export function isAudit(o: PolicyObject): boolean {
  return o.metadata.annotations?.[AUDIT_ANNOTATION] === 'true';
}

function gen(o: PolicyObject): { generation?: number } {
  return o.metadata.generation === undefined ? {} : { generation: o.metadata.generation };
}
