// Everything the UI keeps about the flow stream. Ingest is cheap and synchronous (a ring write,
// two counters and the verdict book per flow), so the source can call it at any rate without a
// React update; the UI reads `version` at its own frame rate and redraws only when it changed.
import type { Flow, LostEvent, NodeStatusEvent } from '../../api/types.ts';
import { NodeState } from '../../api/types.ts';
import { ConnectionBook } from './connection-book.ts';
import { isDrop } from './flow-facts.ts';
import { RateSeries } from './rate-series.ts';
import { Ring } from './ring.ts';
import { VerdictBook } from './verdict-book.ts';

export interface FlowStoreOptions {
  /** Flows kept for display and detail (newest first). */
  capacity?: number;
  /** Seconds of flows/s and drops/s history. */
  seriesSeconds?: number;
  now?: () => number;
}

export class FlowStore {
  readonly flows: Ring<Flow>;
  readonly flowRate: RateSeries;
  readonly dropRate: RateSeries;
  readonly verdicts = new VerdictBook();
  readonly connections = new ConnectionBook();
  /** Lost events per second of arrival, for the warning that events are being lost now. */
  readonly lostRate = new RateSeries(60);
  /** Lost events reported on the stream (sum of num_events_lost). */
  lostEvents = 0;
  /** Nodes the relay reported unavailable on the stream, by name. */
  readonly unavailableNodes = new Set<string>();
  /** Bumped on every change; the UI compares it to decide whether to redraw. */
  version = 0;
  readonly now: () => number;

  constructor(opts: FlowStoreOptions = {}) {
    this.flows = new Ring<Flow>(opts.capacity ?? 16384);
    this.flowRate = new RateSeries(opts.seriesSeconds ?? 120);
    this.dropRate = new RateSeries(opts.seriesSeconds ?? 120);
    this.now = opts.now ?? Date.now;
  }

  push(batch: readonly Flow[]): void {
    if (batch.length === 0) return;
    let drops = 0;
    const now = this.now();
    for (const f of batch) {
      this.flows.push(f);
      if (isDrop(f)) drops++;
      this.verdicts.add(f);
      this.connections.add(f, now);
    }
    this.flowRate.add(batch.length, now);
    this.dropRate.add(drops, now);
    this.version++;
  }

  lost(e: LostEvent): void {
    this.lostEvents += e.num_events_lost ?? 0;
    this.lostRate.add(e.num_events_lost ?? 0, this.now());
    this.version++;
  }

  nodeStatus(e: NodeStatusEvent): void {
    const names = e.node_names ?? [];
    if (e.state_change === NodeState.NODE_CONNECTED) for (const n of names) this.unavailableNodes.delete(n);
    else if (e.state_change !== undefined && e.state_change !== NodeState.UNKNOWN_NODE_STATE) for (const n of names) this.unavailableNodes.add(n);
    this.version++;
  }

  /** Events lost in the last `seconds` complete seconds and the running one. */
  recentLost(seconds: number): number {
    const now = this.now();
    return this.lostRate.series(now, seconds).reduce((a, b) => a + b, 0) + this.lostRate.running(now);
  }

  /** The rendering side: flows/s and drops/s of the last complete second and their history. */
  rates(points: number): { flows: number[]; drops: number[]; flowsPerSecond: number; dropsPerSecond: number } {
    const now = this.now();
    const flows = this.flowRate.series(now, points);
    const drops = this.dropRate.series(now, points);
    return { flows, drops, flowsPerSecond: flows.at(-1) ?? 0, dropsPerSecond: drops.at(-1) ?? 0 };
  }
}
