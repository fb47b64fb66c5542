// Events from the datapath's ring buffer, read in batches. The programs commit with
// BPF_RB_NO_WAKEUP (a wakeup per record costs hundreds of ns per packet), so nothing
// wakes a reader: poll() drains on a timer, and at once again while a batch comes back
// full (the threshold), so a burst is drained without waiting for the next tick.
import type { BpfMap } from './bpf-map.ts';
import { decodeEvent, type NetobsEvent } from './events.ts';
import { RingBuffer } from './ringbuf.ts';

export interface PollOptions {
  /** Drain period when the ring is quiet (default 50 ms). */
  intervalMs?: number;
  /** Records per batch (default 8192); a full batch drains again immediately. */
  batch?: number;
  onError?: (err: unknown) => void;
}

export class EventReader {
  private ring: RingBuffer | null = null;
  /** Records skipped because they could not be decoded (a short record, another layout
   * version from a datapath of another build): counted with the lost events. */
  undecodable = 0n;

  constructor(
    private readonly eventsMap: BpfMap,
    private readonly lostMap: BpfMap,
  ) {}

  private rb(): RingBuffer {
    if (!this.ring) this.ring = new RingBuffer(this.eventsMap.fd, this.eventsMap.info.maxEntries);
    return this.ring;
  }

  /** Decodes up to `max` pending events. */
  read(max = Infinity): NetobsEvent[] {
    const out: NetobsEvent[] = [];
    this.rb().consume((view, off, len) => {
      let ev: NetobsEvent;
      try {
        ev = decodeEvent(view, off, len);
      } catch {
        this.undecodable++;
        return;
      }
      out.push(ev);
    }, max);
    return out;
  }

  /** Raw records for callers that decode only what they need; the view is valid during the call. */
  consume(visit: (view: DataView, offset: number, length: number) => void, max = Infinity): number {
    return this.rb().consume(visit, max);
  }

  /** Bytes waiting in the ring. */
  pending(): number {
    return this.rb().pending();
  }

  /** Drains in batches until the returned stop function is called. */
  poll(onBatch: (events: NetobsEvent[]) => void, o: PollOptions = {}): () => void {
    const batch = o.batch ?? 8192;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      let full = false;
      try {
        const events = this.read(batch);
        full = events.length === batch;
        if (events.length) onBatch(events);
      } catch (err) {
        o.onError?.(err);
      }
      timer = full ? setImmediate(tick) as unknown as NodeJS.Timeout : setTimeout(tick, o.intervalMs ?? 50);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearImmediate(timer as unknown as NodeJS.Immediate);
    };
  }

  /** Events lost to a full ring, per possible CPU; undecodable records count on the first. */
  lostPerCpu(): bigint[] {
    const per = this.lostMap.lookupPerCpu(new Uint8Array(4)) ?? [];
    const out = per.map((v) => new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true));
    if (out.length) out[0]! += this.undecodable;
    else out.push(this.undecodable);
    return out;
  }

  lost(): bigint {
    return this.lostPerCpu().reduce((a, b) => a + b, 0n);
  }

  close(): void {
    this.ring?.close();
    this.ring = null;
  }
}
