// The flow pipeline: drain the datapath's ring buffer in batches (on a timer, and again at once
// while batches come back full), turn events into flows, queue them, and move the queue into the
// flow ring that GetFlows serves. Every loss becomes a LostEvent in the ring and a counter:
//   kernel ring full (the datapath's lost counter, per CPU)   PERF_EVENT_RING_BUFFER
//   the queue between decoding and the ring overflowed         OBSERVER_EVENTS_QUEUE
//   a GetFlows reader lapped by the ring (agent/observer/ring.ts)  HUBBLE_RING_BUFFER
import type { Flow, GetFlowsResponse } from '../../api/types.ts';
import { LostEventSource } from '../../api/types.ts';
import { flowSummary } from '../../api/summary.ts';
import type { NetobsEvent } from '../../bpf/loader/index.ts';
import { EventQueue, lostEvent, type FlowRing } from '../observer/ring.ts';
import type { Timestamp } from '../../api/types.ts';

export interface EventSource {
  read(max: number): NetobsEvent[];
  lostPerCpu(): bigint[];
}

export interface PipelineOptions {
  source: EventSource;
  ring: FlowRing;
  /** Flows of one event (none, the L3/L4 flow, and/or an L7 flow). */
  convert: (ev: NetobsEvent) => Flow[];
  now: () => Timestamp;
  /** Called for every flow written (flow metrics). */
  onFlow?: (f: Flow) => void;
  onError?: (err: unknown) => void;
  batch?: number;
  intervalMs?: number;
  queueLimit?: number;
}

export interface PipelineCounters {
  events: number;
  flows: number;
  errors: number;
  kernelLost: number;
}

export class FlowPipeline {
  readonly queue: EventQueue;
  readonly counters: PipelineCounters = { events: 0, flows: 0, errors: 0, kernelLost: 0 };
  #lostBase: bigint[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;

  constructor(private readonly o: PipelineOptions) {
    this.queue = new EventQueue(o.queueLimit ?? 16384);
  }

  /** A flow made outside the datapath (the L7 proxy's judged requests): queued and drained as the others. */
  inject(flow: Flow): void {
    const now = this.o.now();
    if (this.queue.push({ flow, node_name: flow.node_name ?? '', time: flow.time ?? now })) {
      this.counters.flows++;
      this.o.onFlow?.(flow);
    }
    this.queue.drainInto(this.o.ring, now);
  }

  /** One drain: up to `batch` events through conversion into the ring. Returns events read. */
  drainOnce(): number {
    const batch = this.o.batch ?? 8192;
    this.#checkKernelLost();
    let events: NetobsEvent[];
    try {
      events = this.o.source.read(batch);
    } catch (err) {
      this.counters.errors++;
      this.o.onError?.(err);
      return 0;
    }
    const now = this.o.now();
    for (const ev of events) {
      let flows: Flow[];
      try {
        flows = this.o.convert(ev);
      } catch (err) {
        this.counters.errors++;
        this.o.onError?.(err);
        continue;
      }
      for (const flow of flows) {
        // Hubble agents fill the deprecated Summary; clients before 0.11 print only that field.
        flow.Summary ||= flowSummary(flow);
        const res: GetFlowsResponse = { flow, node_name: flow.node_name ?? '', time: flow.time ?? now };
        if (this.queue.push(res)) {
          this.counters.flows++;
          this.o.onFlow?.(flow);
        }
      }
    }
    this.counters.events += events.length;
    this.queue.drainInto(this.o.ring, now);
    return events.length;
  }

  #checkKernelLost(): void {
    let per: bigint[];
    try {
      per = this.o.source.lostPerCpu();
    } catch {
      return;
    }
    // The counter is pinned with the maps: losses before this agent started are not ours to report.
    if (!this.#lostBase) {
      this.#lostBase = per;
      return;
    }
    per.forEach((v, cpu) => {
      const d = v - (this.#lostBase?.[cpu] ?? 0n);
      if (d <= 0n) return;
      this.counters.kernelLost += Number(d);
      this.queue.push(lostEvent(LostEventSource.PERF_EVENT_RING_BUFFER, Number(d), this.o.now(), cpu));
    });
    this.#lostBase = per;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const batch = this.o.batch ?? 8192;
    const tick = (): void => {
      if (this.#stopped) return;
      const n = this.drainOnce();
      this.#timer = n >= batch ? (setImmediate(tick) as unknown as NodeJS.Timeout) : setTimeout(tick, this.o.intervalMs ?? 50);
    };
    this.#timer = setTimeout(tick, 0);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearImmediate(this.#timer as unknown as NodeJS.Immediate);
  }

  /** Losses of every source since start, by LostEventSource name (agent metrics, status). */
  lost(): Record<'perf_event_ring_buffer' | 'observer_events_queue' | 'hubble_ring_buffer', number> {
    return {
      perf_event_ring_buffer: this.counters.kernelLost,
      observer_events_queue: this.queue.lostTotal,
      hubble_ring_buffer: this.o.ring.readerLost,
    };
  }
}
