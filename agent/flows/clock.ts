// Datapath timestamps are CLOCK_MONOTONIC (bpf_ktime_get_ns); flows carry wall-clock time.
// Node's hrtime is CLOCK_MONOTONIC on Linux, so the offset between the two clocks converts;
// it is re-measured now and then to follow NTP adjustments of the wall clock.
import type { Timestamp } from '../../api/types.ts';

export class MonotonicClock {
  #offsetNs = 0n;
  #measuredAt = 0;

  constructor(private readonly refreshMs = 10_000) {
    this.measure();
  }

  measure(): void {
    this.#offsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
    this.#measuredAt = Date.now();
  }

  toWall(monotonicNs: bigint): Timestamp {
    if (Date.now() - this.#measuredAt > this.refreshMs) this.measure();
    const ns = monotonicNs + this.#offsetNs;
    return { seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) };
  }

  nowNs(): bigint {
    return process.hrtime.bigint();
  }
}
