// Writes the compiler's policy entries into the datapath's policy map. The compiler's keys are the
// map's (port prefixes included); only the direction is translated, a word there, a number here.
// Every write is all-or-nothing: what a failed write (map full, ENOMEM) had already changed is
// put back as it was, so the kernel holds either the previous content or the new, never a part.
import { Direction, type PolicyKey, type PolicyValue } from '../../bpf/loader/index.ts';
import type { PolicyEntry } from '../policy/entries.ts';
import { drain } from '../policy/contributions.ts';
import type { RuleIds } from './rule-ids.ts';

/** Keys written between two pauses of applySteps. */
const STEP_WRITES = 2000;

export interface PolicyMapWriter {
  set(key: PolicyKey, value: PolicyValue): void;
  get(key: PolicyKey): Required<PolicyValue> | undefined;
  delete(key: PolicyKey): boolean;
  entries(): Array<{ key: PolicyKey; value: Required<PolicyValue> }>;
}

/** The datapath key of a compiler entry. */
export function datapathKey(e: Pick<PolicyEntry, 'endpointId' | 'direction' | 'remoteIdentity' | 'protocol' | 'port' | 'portBits'>): PolicyKey {
  return { endpointId: e.endpointId, remoteIdentity: e.remoteIdentity, port: e.port, portBits: e.portBits, protocol: e.protocol, direction: e.direction === 'ingress' ? Direction.INGRESS : Direction.EGRESS };
}

const keyText = (k: PolicyKey): string => `${k.endpointId}/${k.direction}/${k.remoteIdentity}/${k.protocol}/${k.port}/${k.portBits ?? (k.port === 0 ? 0 : 16)}`;

/** A write failed and was rolled back: the map holds what it held before. */
export class PolicyWriteError extends Error {
  constructor(readonly written: number, readonly wanted: number, cause: unknown) {
    super(`policy map write failed after ${written} of ${wanted} changes (${cause instanceof Error ? cause.message : String(cause)}); rolled back to the previous entries`);
  }
}

export class PolicyApplier {
  constructor(private readonly map: PolicyMapWriter, private readonly rules: RuleIds) {}

  #value(e: PolicyEntry): PolicyValue {
    return { action: e.deny ? 'deny' : e.proxy ? 'proxy' : 'allow', ruleId: this.rules.idOf(e.deny, e.policies) };
  }

  /**
   * Writes `add` (upserts), then deletes `remove`, as one change: on any failure every key
   * touched so far gets its previous value back (or goes, if it was new) and PolicyWriteError
   * is thrown. Adds go first so a key whose verdict changes is never briefly missing.
   */
  apply(add: readonly PolicyEntry[], remove: readonly PolicyEntry[]): void {
    drain(this.applySteps(add, remove));
  }

  /** apply() in steps of STEP_WRITES keys, for a caller that yields to its event loop between them. */
  applySteps(add: readonly PolicyEntry[], remove: readonly PolicyEntry[]): Generator<void, void> {
    return this.#write([...add.map((e) => [datapathKey(e), this.#value(e)] as const), ...remove.map((e) => [datapathKey(e), undefined] as const)]);
  }

  *#write(changes: readonly (readonly [PolicyKey, PolicyValue | undefined])[]): Generator<void, void> {
    const undo: [PolicyKey, Required<PolicyValue> | undefined][] = [];
    let done = 0;
    try {
      for (const [k, v] of changes) {
        if (done % STEP_WRITES === STEP_WRITES - 1) yield;
        const before = this.map.get(k);
        if (v) this.map.set(k, v);
        else if (before) this.map.delete(k);
        undo.push([k, before]);
        done++;
      }
    } catch (err) {
      // Newest first, so a key touched twice ends with its oldest value.
      for (const [k, before] of undo.reverse()) {
        if (before) this.map.set(k, before);
        else this.map.delete(k);
      }
      throw new PolicyWriteError(done, changes.length, err);
    }
  }

  /**
   * Makes the map hold exactly `entries` (after a restart the pinned map holds the previous
   * agent's entries; after a failed write, or any drift, it differs from the compiler): reads the
   * map, and writes only what differs, all-or-nothing. Returns what it changed, and whose.
   */
  reconcile(entries: readonly PolicyEntry[]): { written: number; removed: number; endpoints: Set<number> } {
    const have = new Map(this.map.entries().map((x) => [keyText(x.key), x]));
    const changes: [PolicyKey, PolicyValue | undefined][] = [];
    const want = new Set<string>();
    for (const e of entries) {
      const k = datapathKey(e);
      const t = keyText(k);
      want.add(t);
      const v = this.#value(e);
      const cur = have.get(t)?.value;
      if (!cur || cur.action !== v.action || cur.ruleId !== v.ruleId) changes.push([k, v]);
    }
    const written = changes.length;
    for (const [t, { key }] of have) if (!want.has(t)) changes.push([key, undefined]);
    drain(this.#write(changes));
    return { written, removed: changes.length - written, endpoints: new Set(changes.map(([k]) => k.endpointId)) };
  }
}
