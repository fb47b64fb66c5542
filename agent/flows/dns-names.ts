// IP -> DNS names, learned from the DNS responses this node observes, so flows to an address
// show the name a pod looked up (source_names / destination_names and the fqdn filters).
// Entries live for the record's TTL (at least minTtlMs, as clients cache past short TTLs) and
// the table is bounded: the oldest insertions go first.

export class DnsNames {
  readonly #byIp = new Map<string, Map<string, number>>(); // ip -> name -> expiry (ms)
  #size = 0;

  constructor(readonly maxEntries = 65536, readonly minTtlMs = 60_000) {}

  get size(): number {
    return this.#size;
  }

  /** Records that `name` resolved to `ips` at `nowMs` for `ttlSeconds`. */
  learn(name: string, ips: readonly string[], ttlSeconds: number, nowMs: number): void {
    const bare = name.endsWith('.') ? name.slice(0, -1) : name;
    if (!bare) return;
    const expiry = nowMs + Math.max(ttlSeconds * 1000, this.minTtlMs);
    for (const ip of ips) {
      let names = this.#byIp.get(ip);
      if (!names) {
        if (this.#size >= this.maxEntries) this.#evictOldest();
        this.#byIp.set(ip, (names = new Map()));
      }
      if (!names.has(bare)) this.#size++;
      names.set(bare, expiry);
    }
  }

  /** Names of an IP still valid at `nowMs`, sorted. */
  namesOf(ip: string, nowMs: number): string[] | undefined {
    const names = this.#byIp.get(ip);
    if (!names) return undefined;
    const out: string[] = [];
    for (const [n, exp] of names) {
      if (exp >= nowMs) out.push(n);
      else {
        names.delete(n);
        this.#size--;
      }
    }
    if (names.size === 0) this.#byIp.delete(ip);
    return out.length ? out.sort() : undefined;
  }

  #evictOldest(): void {
    const first = this.#byIp.entries().next().value;
    if (!first) return;
    this.#byIp.delete(first[0]);
    this.#size -= first[1].size;
  }
}
