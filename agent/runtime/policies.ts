// The policies the agent enforces, kept in step with the policy objects it watches: each object
// is parsed whole (validatePolicy's rules); a valid one is (re)compiled, an invalid one gets
// Valid=False and changes nothing (a policy that was valid before keeps its last valid version
// enforced), a deleted one is withdrawn. Returns the compiler's deltas for the caller to write.
// A policy annotated netobs.io/audit: "true" is kept out of the enforced table and compiled, with
// the enforced ones, into a shadow table that flows are judged against (audit.ts).
import { AUDIT_ANNOTATION } from '../../api/kube-names.ts';
import type { Policy } from '../../api/types.ts';
import { CidrIdentities } from '../identity/cidr-identities.ts';
import { policyRefKey } from '../policy/entries.ts';
import type { PolicyObject } from '../../lib/kube-objects.ts';
import type { PolicyValidity } from '../k8s/source.ts';
import { PolicyCompiler, type CompileDelta, type ClusterView } from '../policy/compile.ts';
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

  constructor(view: ClusterView) {
    this.#view = view;
    this.compiler = new PolicyCompiler(view);
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
    const deltas: CompileDelta[] = [];
    const validity: ValidityUpdate[] = [];
    const upserts: ParsedPolicy[] = [];
    const removed: PolicyRef[] = [];
    const shadowUpserts: ParsedPolicy[] = [];
    const shadowRemoved: PolicyRef[] = [];
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
      this.invalid.delete(key);
      const audit = isAudit(obj);
      const wasEnforced = this.#applied.get(key)?.audit === false;
      this.#applied.set(key, { version: v, parsed, audit });
      if (!audit) upserts.push(parsed);
      else if (wasEnforced) removed.push(parsed.ref);
      shadowUpserts.push(parsed);
      if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: true, message: audit ? `Policy validation succeeded; audit mode (${AUDIT_ANNOTATION}): not enforced` : 'Policy validation succeeded', ...gen(obj) } });
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
    this.#syncShadow(shadowUpserts, shadowRemoved);
    if (initial) {
      deltas.push(this.compiler.load(this.parsed()));
    } else {
      for (const p of upserts) deltas.push(this.compiler.upsert(p));
      for (const r of removed) deltas.push(this.compiler.remove(r));
    }
    if (upserts.length || removed.length || initial) this.revision++;
    return { deltas, validity };
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
