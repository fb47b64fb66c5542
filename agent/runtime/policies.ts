// The policies the agent enforces, kept in step with the policy objects it watches: each object
// is parsed whole (validatePolicy's rules); a valid one is (re)compiled, an invalid one gets
// Valid=False and changes nothing (a policy that was valid before keeps its last valid version
// enforced), a deleted one is withdrawn. Returns the compiler's deltas for the caller to write.
import type { Policy } from '../../api/types.ts';
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

  constructor(view: ClusterView) {
    this.compiler = new PolicyCompiler(view);
  }

  get count(): number {
    return this.#applied.size;
  }

  parsed(): ParsedPolicy[] {
    return [...this.#applied.values()].map((a) => a.parsed);
  }

  /** Applies the objects as they are now; `initial` loads everything in one compile. */
  sync(objects: ReadonlyMap<string, PolicyObject>, initial: boolean): { deltas: CompileDelta[]; validity: ValidityUpdate[] } {
    const deltas: CompileDelta[] = [];
    const validity: ValidityUpdate[] = [];
    const upserts: ParsedPolicy[] = [];
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
      this.#applied.set(key, { version: v, parsed });
      upserts.push(parsed);
      if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: true, message: 'Policy validation succeeded', ...gen(obj) } });
    }
    const removed: PolicyRef[] = [];
    for (const key of [...this.#seen.keys()]) {
      if (objects.has(key)) continue;
      this.#seen.delete(key);
      this.invalid.delete(key);
      const a = this.#applied.get(key);
      if (!a) continue;
      this.#applied.delete(key);
      removed.push(a.parsed.ref);
    }
    if (initial) {
      deltas.push(this.compiler.load(this.parsed()));
    } else {
      for (const p of upserts) deltas.push(this.compiler.upsert(p));
      for (const r of removed) deltas.push(this.compiler.remove(r));
    }
    if (upserts.length || removed.length || initial) this.revision++;
    return { deltas, validity };
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

function gen(o: PolicyObject): { generation?: number } {
  return o.metadata.generation === undefined ? {} : { generation: o.metadata.generation };
}
