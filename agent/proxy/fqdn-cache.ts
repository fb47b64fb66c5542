// What the DNS proxy learnt from the answers it relayed: name -> addresses, each until its TTL
// runs out (never sooner than FQDN_MIN_TTL_S). toFQDNs peers resolve to the live addresses of
// the names they select (agent/policy: FqdnView). The cache is saved to a file in the agent's
// state directory after each change and read back at start, so an agent restart keeps allowing
// what pods already resolved (expired entries are dropped on load).
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { anySelects, canonicalName, type DnsSelector } from '../policy/dns-match.ts';
import type { FqdnView } from '../policy/views.ts';

/**
 * The shortest time an address stays allowed after an answer, whatever its TTL: clients cache
 * answers longer than the TTL and reconnect to the address later (Cilium's --tofqdns-min-ttl
 * defaults to the same hour).
 */
export const FQDN_MIN_TTL_S = 3600;

const FILE_VERSION = 1;

export interface LearntRecord {
  readonly ip: string;
  readonly ttl: number;
}

export class FqdnCache implements FqdnView {
  /** name (canonical) -> ip -> expiry, wall-clock ms */
  readonly #names = new Map<string, Map<string, number>>();
  readonly #now: () => number;
  readonly #minTtlMs: number;
  /** Bumped when the set of live (name, address) pairs changes; part of the compiler's view key. */
  revision = 0;

  constructor(o: { now?: () => number; minTtlS?: number } = {}) {
    this.#now = o.now ?? Date.now;
    this.#minTtlMs = (o.minTtlS ?? FQDN_MIN_TTL_S) * 1000;
  }

  /** Takes in an answer's addresses for `name`; true when a new address became live. */
  learn(name: string, records: readonly LearntRecord[]): boolean {
    const n = canonicalName(name);
    const now = this.#now();
    let ips = this.#names.get(n);
    let added = false;
    for (const r of records) {
      const until = now + Math.max(r.ttl * 1000, this.#minTtlMs);
      if (!ips) this.#names.set(n, (ips = new Map()));
      const was = ips.get(r.ip);
      if (was === undefined || was <= now) added = true;
      if (was === undefined || was < until) ips.set(r.ip, until);
    }
    if (added) this.revision++;
    return added;
  }

  ips(selectors: readonly DnsSelector[]): string[] {
    const now = this.#now();
    const out = new Set<string>();
    for (const [name, ips] of this.#names) {
      if (!anySelects(selectors, name)) continue;
      for (const [ip, until] of ips) if (until > now) out.add(ip);
    }
    return [...out].sort();
  }

  /** Forgets expired addresses; true when any went (the policy then drops their allows). */
  gc(): boolean {
    const now = this.#now();
    let removed = false;
    for (const [name, ips] of this.#names) {
      for (const [ip, until] of ips) {
        if (until <= now) {
          ips.delete(ip);
          removed = true;
        }
      }
      if (ips.size === 0) this.#names.delete(name);
    }
    if (removed) this.revision++;
    return removed;
  }

  /** The live entries as [name, ip, expiry ms], sorted (status and the state file). */
  entries(): [string, string, number][] {
    const now = this.#now();
    const out: [string, string, number][] = [];
    for (const [name, ips] of this.#names) for (const [ip, until] of ips) if (until > now) out.push([name, ip, until]);
    return out.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  }

  /** Writes the live entries to `file` (atomically: a temporary file renamed over it). */
  async save(file: string): Promise<void> {
    const tmp = `${file}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: FILE_VERSION, entries: this.entries() }));
    await rename(tmp, file);
  }

  /** Reads entries saved by save(); a missing or unreadable file leaves the cache empty. Returns the count restored. */
  restore(file: string): number {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return 0;
    }
    const d = data as { version?: unknown; entries?: unknown };
    if (d.version !== FILE_VERSION || !Array.isArray(d.entries)) return 0;
    const now = this.#now();
    let n = 0;
    for (const e of d.entries as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || typeof e[2] !== 'number' || e[2] <= now) continue;
      let ips = this.#names.get(e[0]);
      if (!ips) this.#names.set(e[0], (ips = new Map()));
      ips.set(e[1], e[2]);
      n++;
    }
    if (n) this.revision++;
    return n;
  }
}
