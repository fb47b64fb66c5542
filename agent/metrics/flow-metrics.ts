// Hubble's flow metrics for one agent: the configured handlers plus the always-on lost events
// counter, on a registry of their own (served on :9965), with a cap on each metric's series and
// the series of deleted pods dropped (forgetDeletedPods, called by the agent's sweep).
import type { Flow, LostEvent } from '../../api/types.ts';
import { LostEventSource } from '../../api/types.ts';
import { enumName } from '../../api/names.ts';
import { makeHandler, type FlowHandler } from './handlers.ts';
import { parseMetricsConfig } from './options.ts';
import { Registry, type ExpositionFormat, type Metric } from './registry.ts';

/** Series one flow metric may hold unless configured otherwise. */
export const DEFAULT_MAX_SERIES_PER_METRIC = 10_000;

export interface FlowMetricsOptions {
  maxSeriesPerMetric?: number;
  /** Wall clock in seconds, for exemplar timestamps. */
  now?: () => number;
}

export class FlowMetrics {
  readonly registry: Registry;
  private readonly handlers: FlowHandler[];
  private readonly lost: Metric;
  /** Things the configuration asks that cannot be given, one line each (logged at start). */
  readonly notes: string[] = [];

  /** Throws MetricsConfigError on an unknown handler or option. */
  constructor(config: string | readonly string[], o: FlowMetricsOptions = {}) {
    this.registry = new Registry({ maxSeriesPerMetric: o.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC, ...(o.now ? { now: o.now } : {}) });
    this.lost = this.registry.counter('hubble_lost_events_total', 'Number of lost events', ['source']);
    const specs = parseMetricsConfig(config);
    this.handlers = specs.map((spec) => makeHandler(this.registry, spec));
  }

  /** Drops the series owned by pods that no longer exist; returns how many series went. */
  forgetDeletedPods(exists: (namespace: string, pod: string) => boolean): number {
    let n = 0;
    for (const owner of this.registry.ownerKeys()) {
      const slash = owner.indexOf('/');
      if (!exists(owner.slice(0, slash), owner.slice(slash + 1))) n += this.registry.forgetOwner(owner);
    }
    return n;
  }

  processFlow(flow: Flow): void {
    for (const h of this.handlers) h(flow);
  }

  processLost(lost: LostEvent): void {
    this.lost.inc([enumName(LostEventSource, lost.source).toLowerCase()], lost.num_events_lost ?? 0);
  }

  expose(format: ExpositionFormat = 'text'): string {
    return this.registry.expose(format);
  }
}
