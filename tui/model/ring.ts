// A bounded ring that keeps the newest items: pushing is O(1) and never allocates once full, so
// ingesting 10k+ flows/s costs the UI nothing beyond a slot write. Reads are newest first.
export class Ring<T> {
  readonly #slots: (T | undefined)[];
  #next = 0; // slot the next push writes
  #size = 0;
  #total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity: ${capacity} (want a positive integer)`);
    this.#slots = new Array<T | undefined>(capacity);
  }

  get size(): number { return this.#size; }
  /** Items ever pushed, including the ones overwritten. */
  get total(): number { return this.#total; }

  push(item: T): void {
    this.#slots[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    this.#total++;
  }

  /** The i-th newest item (0 = newest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.#size) return undefined;
    return this.#slots[(this.#next - 1 - i + this.capacity * 2) % this.capacity];
  }

  /** Newest first; stops early when the callback returns false. */
  forEachNewest(fn: (item: T, index: number) => boolean | void): void {
    for (let i = 0; i < this.#size; i++) if (fn(this.at(i) as T, i) === false) return;
  }

  /** Up to `limit` items matching `pred`, newest first, skipping the first `skip` matches. */
  newest(limit: number, pred?: (item: T) => boolean, skip = 0): T[] {
    const out: T[] = [];
    let skipped = 0;
    this.forEachNewest((item) => {
      if (pred && !pred(item)) return true;
      if (skipped < skip) { skipped++; return true; }
      out.push(item);
      return out.length < limit;
    });
    return out;
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
