// The flow-metrics endpoint: a scrape brings the lost-event counter up to date (the pipeline
// counts cumulatively, the metric takes increments) and answers in the format the scraper asks
// for: OpenMetrics for Prometheus's default Accept header, the text format otherwise.
import type http from 'node:http';
import { LostEventSource } from '../../api/types.ts';
import type { FlowMetrics } from './flow-metrics.ts';
import { negotiateFormat } from './registry.ts';

/** Cumulative lost counts by source name (`perf_event_ring_buffer`, …). */
export type LostTotals = () => Readonly<Record<string, number>>;

export function flowMetricsListener(fm: FlowMetrics, lostTotals?: LostTotals): http.RequestListener {
  const last: Record<string, number> = {};
  return (req, res) => {
    for (const [source, n] of Object.entries(lostTotals?.() ?? {})) {
      const d = n - (last[source] ?? 0);
      last[source] = n;
      if (d > 0) fm.processLost({ source: LostEventSource[source.toUpperCase() as keyof typeof LostEventSource], num_events_lost: d });
    }
    const { format, contentType } = negotiateFormat(req.headers.accept);
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(fm.expose(format));
  };
}
