// Drives a FlowMerger from live node streams (the relay's GetFlows): pumps each node's stream,
// ticks the merger so idle nodes do not stall a follow, turns a failing node into a
// NODE_UNAVAILABLE status while the others go on, and stops pulling from the nodes while the
// consumer lags (the output is bounded by highWaterMark).
import type { GetFlowsResponse } from '../api/types.ts';
import { NodeState } from '../api/types.ts';
import { FlowMerger, type MergeOptions } from './merge.ts';

export interface MergeStreamsOptions extends MergeOptions {
  signal?: AbortSignal;
  /** Events queued for the consumer before the node streams are paused (default 1024). */
  highWaterMark?: number;
  now?: () => number;
  /**
   * Sources that appear later (a follow picks up agents discovered mid-stream): called once with
   * `add`; returns the unsubscribe. A node whose pump still runs is not added twice. With it, the
   * merge runs until the signal aborts, even while no node is left.
   */
  join?: (add: (node: string, stream: AsyncIterable<GetFlowsResponse>) => void) => () => void;
}

export async function* mergeFlowStreams(
  sources: ReadonlyMap<string, AsyncIterable<GetFlowsResponse>>,
  opts: MergeStreamsOptions = {},
): AsyncGenerator<GetFlowsResponse> {
  const now = opts.now ?? Date.now;
  const merger = new FlowMerger([...sources.keys()], opts);
  const out: GetFlowsResponse[] = [];
  const hwm = opts.highWaterMark ?? 1024;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducers: (() => void)[] = [];
  const pumping = new Set<string>();
  let running = 0;

  const emit = (events: GetFlowsResponse[]): void => {
    if (events.length === 0) return;
    out.push(...events);
    wakeConsumer?.();
  };
  const roomForMore = async (): Promise<void> => {
    while (out.length >= hwm && !opts.signal?.aborted) await new Promise<void>((r) => wakeProducers.push(r));
  };

  const pumps: Promise<void>[] = [];
  const pump = (node: string, stream: AsyncIterable<GetFlowsResponse>): void => {
    pumping.add(node);
    running++;
    pumps.push((async () => {
      try {
        for await (const res of stream) {
          if (opts.signal?.aborted) break;
          emit(merger.push(node, res, now()));
          await roomForMore();
        }
        emit(merger.end(node, now()));
      } catch (err) {
        emit(merger.end(node, now(), NodeState.NODE_UNAVAILABLE, err instanceof Error ? err.message : String(err)));
      } finally {
        pumping.delete(node);
        running--;
        wakeConsumer?.();
      }
    })());
  };
  for (const [node, stream] of sources) pump(node, stream);
  const unjoin = opts.join?.((node, stream) => {
    if (pumping.has(node) || opts.signal?.aborted) return;
    emit(merger.addNode(node));
    pump(node, stream);
  });

  const tickMs = Math.max(10, Math.floor((opts.maxDelayMs ?? 1000) / 4));
  const timer = setInterval(() => emit(merger.tick(now())), tickMs);
  const onAbort = (): void => wakeConsumer?.();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      while (out.length > 0) {
        if (opts.signal?.aborted) return;
        yield out.shift() as GetFlowsResponse;
        if (out.length < hwm && wakeProducers.length > 0) {
          const w = wakeProducers;
          wakeProducers = [];
          for (const wake of w) wake();
        }
      }
      if ((running === 0 && !opts.join) || opts.signal?.aborted) break;
      await new Promise<void>((r) => (wakeConsumer = r));
      wakeConsumer = undefined;
    }
    if (!opts.signal?.aborted) {
      await Promise.all(pumps);
      for (const ev of merger.flush()) yield ev;
    }
  } finally {
    unjoin?.();
    clearInterval(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    for (const wake of wakeProducers) wake();
  }
}
