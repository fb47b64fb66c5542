// Policy map values carry a 32-bit cookie (rule_id) that the datapath copies into events and
// conntrack entries. The agent gives each distinct (verdict, set of policies) a cookie and keeps
// the reverse table, so a flow can name the policies that allowed or denied it. A cookie is a
// hash of the set, so a restarted agent hands out the numbers its pinned maps already hold.
import { policyRefKey } from '../policy/entries.ts';
import type { PolicyRef } from '../policy/types.ts';

export interface RuleInfo {
  readonly deny: boolean;
  readonly policies: readonly PolicyRef[];
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class RuleIds {
  readonly #byKey = new Map<string, number>();
  readonly #byId = new Map<number, RuleInfo>();

  /** The cookie for an entry; 0 for entries no policy produced (nothing to name). */
  idOf(deny: boolean, policies: readonly PolicyRef[]): number {
    if (policies.length === 0) return 0;
    const key = `${deny ? 'deny' : 'allow'}|${policies.map(policyRefKey).join('|')}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    let id = fnv1a(key) || 1;
    while (this.#byId.has(id)) id = (id + 1) >>> 0 || 1;
    this.#byKey.set(key, id);
    this.#byId.set(id, { deny, policies });
    return id;
  }

  lookup(id: number): RuleInfo | undefined {
    return id === 0 ? undefined : this.#byId.get(id);
  }

  get size(): number {
    return this.#byId.size;
  }
}
