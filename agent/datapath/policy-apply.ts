// Writes the compiler's policy entries into the datapath's policy map. The compiler's key space
// differs from the map's in two ways, both translated here: directions are words there and
// numbers here, and ICMP types are offset by ICMP_PORT_BASE there (so type 0 is not the
// wildcard) while the datapath puts the raw type in the port field. ICMP type 0 (echo reply)
// therefore cannot be expressed; such entries are skipped and counted (replies to allowed echo
// requests pass through conntrack anyway).
import { Direction, type PolicyKey, type PolicyValue } from '../../bpf/loader/index.ts';
import { ICMP_PORT_BASE, PROTO, type PolicyEntry } from '../policy/entries.ts';
import type { RuleIds } from './rule-ids.ts';

export interface PolicyMapWriter {
  set(key: PolicyKey, value: PolicyValue): void;
  delete(key: PolicyKey): boolean;
  entries(): Array<{ key: PolicyKey; value: Required<PolicyValue> }>;
}

/** The datapath key of a compiler entry, or undefined when the datapath cannot express it. */
export function datapathKey(e: Pick<PolicyEntry, 'endpointId' | 'direction' | 'remoteIdentity' | 'protocol' | 'port'>): PolicyKey | undefined {
  let port = e.port;
  if ((e.protocol === PROTO.icmp || e.protocol === PROTO.icmpv6) && port !== 0) {
    port -= ICMP_PORT_BASE;
    if (port <= 0) return undefined;
  }
  return { endpointId: e.endpointId, remoteIdentity: e.remoteIdentity, port, protocol: e.protocol, direction: e.direction === 'ingress' ? Direction.INGRESS : Direction.EGRESS };
}

const keyText = (k: PolicyKey): string => `${k.endpointId}/${k.direction}/${k.remoteIdentity}/${k.protocol}/${k.port}`;

export class PolicyApplier {
  /** Entries skipped because the datapath cannot express them. */
  unexpressible = 0;

  constructor(private readonly map: PolicyMapWriter, private readonly rules: RuleIds) {}

  upsert(entries: readonly PolicyEntry[]): void {
    for (const e of entries) {
      const k = datapathKey(e);
      if (!k) {
        this.unexpressible++;
        continue;
      }
      this.map.set(k, { action: e.deny ? 'deny' : e.proxy ? 'proxy' : 'allow', ruleId: this.rules.idOf(e.deny, e.policies) });
    }
  }

  remove(entries: readonly PolicyEntry[]): void {
    for (const e of entries) {
      const k = datapathKey(e);
      if (k) this.map.delete(k);
    }
  }

  /**
   * Makes the map hold exactly `entries`: after a restart the pinned map holds the previous
   * agent's entries, and anything it holds that the compiler no longer produces must go.
   * Writes first, then deletes, as for any diff.
   */
  replaceAll(entries: readonly PolicyEntry[]): { removed: number } {
    this.upsert(entries);
    const want = new Set(entries.map((e) => datapathKey(e)).filter((k): k is PolicyKey => k !== undefined).map(keyText));
    let removed = 0;
    for (const { key } of this.map.entries()) {
      if (want.has(keyText(key))) continue;
      this.map.delete(key);
      removed++;
    }
    return { removed };
  }
}
