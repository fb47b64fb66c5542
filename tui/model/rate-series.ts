// Events per second over the last N seconds, for the sparklines and the header rate. Buckets are
// whole seconds of the caller's clock (arrival time, not flow time: a replayed history must not
// look like a burst from the past).
export class RateSeries {
  readonly #counts: number[];
  #second = -1; // the second the newest bucket counts

  constructor(readonly seconds = 120) {
    this.#counts = new Array<number>(seconds).fill(0);
  }

  add(count: number, nowMs: number): void {
    this.#advance(Math.floor(nowMs / 1000));
    this.#counts[this.#counts.length - 1]! += count;
  }

  /** Counts of the last `n` complete seconds, oldest first (the running second is left out). */
  series(nowMs: number, n = this.seconds - 1): number[] {
    this.#advance(Math.floor(nowMs / 1000));
    const len = this.#counts.length;
    const k = Math.min(n, len - 1);
    return this.#counts.slice(len - 1 - k, len - 1);
  }

  /** The count of the running (incomplete) second. */
  running(nowMs: number): number {
    this.#advance(Math.floor(nowMs / 1000));
    return this.#counts[this.#counts.length - 1]!;
  }

  /** The rate of the last complete second. */
  perSecond(nowMs: number): number {
    return this.series(nowMs, 1)[0] ?? 0;
  }

  #advance(second: number): void {
    if (this.#second < 0) { this.#second = second; return; }
    const steps = second - this.#second;
    if (steps <= 0) return;
    const len = this.#counts.length;
    if (steps >= len) this.#counts.fill(0);
    else { this.#counts.copyWithin(0, steps); this.#counts.fill(0, len - steps); }
    this.#second = second;
  }
}
