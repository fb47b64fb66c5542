// Hubble's flow metrics for one agent: the configured handlers plus the always-on lost events
// counter, on a registry of their own (served on :9965).
import type { Flow, LostEvent } from '../../api/types.ts';
import { LostEventSource } from '../../api/types.ts';
import { enumName } from '../../api/names.ts';
import { makeHandler, type FlowHandler } from './handlers.ts';
import { parseMetricsConfig } from './options.ts';
import { Registry, type Metric } from './registry.ts';

export class FlowMetrics {
  readonly registry = new Registry();
  private readonly handlers: FlowHandler[];
  private readonly lost: Metric;

  /** Throws MetricsConfigError on an unknown handler or option. */
  constructor(config: string | readonly string[]) {
    this.lost = this.registry.counter('hubble_lost_events_total', 'Number of lost events', ['source']);
    this.handlers = parseMetricsConfig(config).map((spec) => makeHandler(this.registry, spec));
  }

  processFlow(flow: Flow): void {
    for (const h of this.handlers) h(flow);
  }

  processLost(lost: LostEvent): void {
    this.lost.inc([enumName(LostEventSource, lost.source).toLowerCase()], lost.num_events_lost ?? 0);
  }

  expose(): string {
    return this.registry.expose();
  }
}
