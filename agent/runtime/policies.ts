// The policies the agent enforces, kept in step with the policy objects it watches: each object
// is parsed whole (validatePolicy's rules); a valid one is (re)compiled, an invalid one gets
// Valid=False and changes nothing (a policy that was valid before keeps its last valid version
// enforced), a deleted one is withdrawn. A policy whose entries would not fit the policy map
// (capacity.ts) is invalid too, found on the compiler's state before anything is written.
// Returns the compiler's deltas for the caller to write.
import type { Policy } from '../../api/types.ts';
import type { PolicyObject } from '../../lib/kube-objects.ts';
import type { PolicyValidity } from '../k8s/source.ts';
import { capacityProblem, DEFAULT_ENDPOINT_CAPACITY, type PolicyCapacity } from '../policy/capacity.ts';
import { PolicyCompiler, type CompileDelta, type ClusterView } from '../policy/compile.ts';
import { drain } from '../policy/contributions.ts';
import { policyRefKey } from '../policy/entries.ts';
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

  readonly #capacity: PolicyCapacity;

  constructor(view: ClusterView, capacity: PolicyCapacity = { perEndpoint: DEFAULT_ENDPOINT_CAPACITY, total: 65_536 }) {
    this.compiler = new PolicyCompiler(view);
    this.#capacity = capacity;
  }

  get count(): number {
    return this.#applied.size;
  }

  parsed(): ParsedPolicy[] {
    return [...this.#applied.values()].map((a) => a.parsed);
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
    const pending = new Map<ParsedPolicy, { key: string; obj: PolicyObject; v: string }>();
    const accept = (p: ParsedPolicy) => {
      const { key, obj, v } = pending.get(p)!;
      this.invalid.delete(key);
      this.#applied.set(key, { version: v, parsed: p });
      if (isNetobsPolicy(obj)) validity.push({ obj, validity: { valid: true, message: 'Policy validation succeeded', ...gen(obj) } });
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
      upserts.push(parsed);
      pending.set(parsed, { key, obj, v });
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
    if (upserts.length || removed.length || initial) this.revision++;
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
    const prev = [...this.#applied.values()].find((a) => policyRefKey(a.parsed.ref) === policyRefKey(p.ref));
    if (prev) yield* this.compiler.upsertSteps(prev.parsed);
    else this.compiler.remove(p.ref);
    refuse(p, problem);
  }

  /** The fullest endpoint's entries over the per-endpoint capacity (0..1). */
  endpointPressure(): number {
    return Math.max(0, ...this.compiler.entryCounts().values()) / this.#capacity.perEndpoint;
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
