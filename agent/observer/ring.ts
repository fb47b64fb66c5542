// The last N flow events (default 4095, as hubble) in a ring addressed by an ever-increasing
// sequence number. Writers never wait: readers pull at their own pace and, when the writer laps
// them, learn how many events they missed as a HUBBLE_RING_BUFFER LostEvent. Events are
// GetFlowsResponse objects (a flow or a lost event, with node_name and time) so that serving them
// needs no copy.
import type { GetFlowsResponse, LostEventSource, Timestamp } from '../../api/types.ts';
import { LostEventSource as Source } from '../../api/types.ts';
import { compareTimestamps } from '../../api/flow-time.ts';

export const DEFAULT_RING_CAPACITY = 4095;

export class FlowRing {
  readonly capacity: number;
  private readonly slots: (GetFlowsResponse | undefined)[];
  private next = 0;
  private flowsSeen = 0;
  private waiters: (() => void)[] = [];
  /** Events readers missed because the writer lapped them (hubble_lost_events_total{source="hubble_ring_buffer"}). */
  readerLost = 0;

  constructor(capacity = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`flow ring capacity ${capacity}: must be a positive integer`);
    this.capacity = capacity;
    this.slots = new Array<GetFlowsResponse | undefined>(capacity);
  }

  /** Sequence number of the next write. */
  get nextSeq(): number { return this.next; }
  /** Sequence number of the oldest event still held. */
  get oldestSeq(): number { return Math.max(0, this.next - this.capacity); }
  /** Events held now (num_flows). */
  get size(): number { return this.next - this.oldestSeq; }
  /** Flows ever written (seen_flows). */
  get seen(): number { return this.flowsSeen; }

  write(event: GetFlowsResponse): void {
    this.slots[this.next % this.capacity] = event;
    this.next++;
    if (event.flow) this.flowsSeen++;
    if (this.waiters.length > 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const wake of w) wake();
    }
  }

  /** The event with this sequence number, if still held. */
  at(seq: number): GetFlowsResponse | undefined {
    if (seq < this.oldestSeq || seq >= this.next) return undefined;
    return this.slots[seq % this.capacity];
  }

  /** Resolves at the next write, or when the signal aborts. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = (): void => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Flows per second over the minute before `now` (ServerStatus flows_rate). */
  flowsRate(now: Timestamp): number {
    const since = { seconds: (now.seconds ?? 0) - 60, nanos: now.nanos ?? 0 };
    let n = 0;
    for (let seq = this.next - 1; seq >= this.oldestSeq; seq--) {
      const ev = this.at(seq);
      if (!ev?.flow) continue;
      if (compareTimestamps(ev.flow.time, since) < 0) break;
      n++;
    }
    return n / 60;
  }
}

/** A lost-events record to write into the ring or send to a reader. */
export function lostEvent(source: LostEventSource, count: number, time: Timestamp, cpu?: number): GetFlowsResponse {
  return {
    lost_events: { source, num_events_lost: count, ...(cpu === undefined ? {} : { cpu: { value: cpu } }) },
    time,
  };
}

/**
 * Bounded queue between the datapath reader and the ring (hubble's observer events queue). When
 * full, events are counted instead of queued, and the next drain writes the events that did
 * fit followed by one OBSERVER_EVENTS_QUEUE LostEvent for those that came after them.
 */
export class EventQueue {
  private items: GetFlowsResponse[] = [];
  private lostNow = 0;
  /** All events ever dropped here (hubble_lost_events_total{source="observer_events_queue"}). */
  lostTotal = 0;

  constructor(readonly limit = 16384) {}

  get length(): number { return this.items.length; }

  push(event: GetFlowsResponse): boolean {
    if (this.items.length >= this.limit) {
      this.lostNow++;
      this.lostTotal++;
      return false;
    }
    this.items.push(event);
    return true;
  }

  /** Moves everything queued into the ring; returns how many events were written. */
  drainInto(ring: FlowRing, now: Timestamp): number {
    for (const ev of this.items) ring.write(ev);
    let written = this.items.length;
    this.items = [];
    if (this.lostNow > 0) {
      ring.write(lostEvent(Source.OBSERVER_EVENTS_QUEUE, this.lostNow, now));
      this.lostNow = 0;
      written++;
    }
    return written;
  }
}
