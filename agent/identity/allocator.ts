// Cluster-wide identity allocation. Every node computes the same first candidate for a label set
// (a hash of its canonical key), so concurrent allocations of one label set on many nodes race
// for one id and the store's create-if-absent picks a single winner; the losers read the winner
// and adopt it. A different label set already holding the id (a hash collision) sends the
// allocator on to the next id (linear probing), again the same sequence on every node.
//
// Duplicates (one label set under two ids) can only appear when an id is garbage-collected while
// a node's cache is stale; both ids then carry the same labels and match the same selectors, so
// policy stays correct and GC removes the spare once unused.
import { labelSetKey, type LabelSet } from './labels.ts';
import { MAX_ALLOCATED_IDENTITY, MIN_ALLOCATED_IDENTITY } from './reserved.ts';
import type { IdentityStore, StoredIdentity } from './store.ts';

export interface AllocatorOptions {
  readonly min?: number;
  readonly max?: number; // exclusive
}

/** FNV-1a over UTF-16 code units: stable across nodes, platforms and restarts. */
export function labelHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class IdentityExhaustedError extends Error {
  constructor(range: string) {
    super(`allocate identity: every id in ${range} is taken (garbage-collect unused identities)`);
    this.name = 'IdentityExhaustedError';
  }
}

export class IdentityAllocator {
  readonly #store: IdentityStore;
  readonly #min: number;
  readonly #max: number;
  readonly #byId = new Map<number, StoredIdentity>();
  readonly #byKey = new Map<string, number>();
  readonly #inflight = new Map<string, Promise<number>>();

  constructor(store: IdentityStore, opts: AllocatorOptions = {}) {
    this.#store = store;
    this.#min = opts.min ?? MIN_ALLOCATED_IDENTITY;
    this.#max = opts.max ?? MAX_ALLOCATED_IDENTITY;
  }

  /** Loads every stored identity (agent start, reconnect). */
  async sync(): Promise<void> {
    const all = await this.#store.list();
    this.#byId.clear();
    this.#byKey.clear();
    for (const s of all) this.observe({ type: 'added', identity: s });
  }

  /** Feeds a watch event of the store, so the cache follows other nodes' allocations. */
  observe(ev: { type: 'added' | 'deleted'; identity: StoredIdentity }): void {
    const { id, labels } = ev.identity;
    const key = labelSetKey(labels);
    if (ev.type === 'added') {
      const prev = this.#byId.get(id);
      if (prev && labelSetKey(prev.labels) !== key) this.observe({ type: 'deleted', identity: prev });
      this.#byId.set(id, ev.identity);
      // Keep the lowest id for a label set so every node picks the same one among duplicates.
      const cur = this.#byKey.get(key);
      if (cur === undefined || id < cur) this.#byKey.set(key, id);
      return;
    }
    this.#byId.delete(id);
    if (this.#byKey.get(key) === id) {
      this.#byKey.delete(key);
      for (const s of this.#byId.values()) if (labelSetKey(s.labels) === key) this.observe({ type: 'added', identity: s });
    }
  }

  lookup(labels: LabelSet): number | undefined {
    return this.#byKey.get(labelSetKey(labels));
  }

  labelsOf(id: number): LabelSet | undefined {
    return this.#byId.get(id)?.labels;
  }

  identities(): StoredIdentity[] {
    return [...this.#byId.values()].sort((a, b) => a.id - b.id);
  }

  /** The identity of a label set, creating it in the store when nobody has yet. */
  allocate(labels: LabelSet): Promise<number> {
    const key = labelSetKey(labels);
    const known = this.#byKey.get(key);
    if (known !== undefined) return Promise.resolve(known);
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#allocate(labels, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #allocate(labels: LabelSet, key: string): Promise<number> {
    const range = this.#max - this.#min;
    const start = labelHash(key) % range;
    for (let i = 0; i < range; i++) {
      const id = this.#min + ((start + i) % range);
      const cached = this.#byId.get(id);
      if (cached) {
        if (labelSetKey(cached.labels) === key) return id;
        continue;
      }
      const found = await this.#claim(id, labels, key);
      if (found === 'ours') return id;
    }
    throw new IdentityExhaustedError(`[${this.#min}, ${this.#max})`);
  }

  /** Tries one id; 'taken' means another label set holds it. */
  async #claim(id: number, labels: LabelSet, key: string): Promise<'ours' | 'taken'> {
    // A conflict whose holder vanished before we could read it (deleted meanwhile) is retried.
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.#store.create(id, labels)) === 'ok') {
        this.observe({ type: 'added', identity: { id, labels } });
        return 'ours';
      }
      const holder = await this.#store.get(id);
      if (!holder) continue;
      this.observe({ type: 'added', identity: holder });
      return labelSetKey(holder.labels) === key ? 'ours' : 'taken';
    }
    return 'taken';
  }
}
