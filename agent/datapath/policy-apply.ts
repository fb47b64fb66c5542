// Writes the compiler's policy entries into the datapath's policy map. The compiler's keys are the
// map's (port prefixes included); only the direction is translated, a word there, a number here.
import { Direction, type PolicyKey, type PolicyValue } from '../../bpf/loader/index.ts';
import type { PolicyEntry } from '../policy/entries.ts';
import type { RuleIds } from './rule-ids.ts';

export interface PolicyMapWriter {
  set(key: PolicyKey, value: PolicyValue): void;
  delete(key: PolicyKey): boolean;
  entries(): Array<{ key: PolicyKey; value: Required<PolicyValue> }>;
}

/** The datapath key of a compiler entry. */
export function datapathKey(e: Pick<PolicyEntry, 'endpointId' | 'direction' | 'remoteIdentity' | 'protocol' | 'port' | 'portBits'>): PolicyKey {
  return { endpointId: e.endpointId, remoteIdentity: e.remoteIdentity, port: e.port, portBits: e.portBits, protocol: e.protocol, direction: e.direction === 'ingress' ? Direction.INGRESS : Direction.EGRESS };
}

const keyText = (k: PolicyKey): string => `${k.endpointId}/${k.direction}/${k.remoteIdentity}/${k.protocol}/${k.port}/${k.portBits}`;

export class PolicyApplier {
  constructor(private readonly map: PolicyMapWriter, private readonly rules: RuleIds) {}

  upsert(entries: readonly PolicyEntry[]): void {
    for (const e of entries) {
      const k = datapathKey(e);
      this.map.set(k, { action: e.deny ? 'deny' : e.proxy ? 'proxy' : 'allow', ruleId: this.rules.idOf(e.deny, e.policies) });
    }
  }

  remove(entries: readonly PolicyEntry[]): void {
    for (const e of entries) {
      this.map.delete(datapathKey(e));
    }
  }

  /**
   * Makes the map hold exactly `entries`: after a restart the pinned map holds the previous
   * agent's entries, and anything it holds that the compiler no longer produces must go.
   * Writes first, then deletes, as for any diff.
   */
  replaceAll(entries: readonly PolicyEntry[]): { removed: number } {
    this.upsert(entries);
    const want = new Set(entries.map((e) => keyText(datapathKey(e))));
    let removed = 0;
    for (const { key } of this.map.entries()) {
      if (want.has(keyText(key))) continue;
      this.map.delete(key);
      removed++;
    }
    return { removed };
  }
}
