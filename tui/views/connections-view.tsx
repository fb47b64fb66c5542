// View 5: connections. One row per workload pair x port x protocol, busiest first, with flows/s,
// drops and their top reason, HTTP requests/s, 5xx ratio, p50/p99 latency and DNS errors; enter
// shows the row's figures and its latest flows.
import { useMemo } from 'react';
import type { Flow } from '../../api/types.ts';
import { connectionOf, latencyPercentile, serverErrorRatio, type ConnectionStat } from '../model/connection-book.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { layoutColumns, headerCells, rowCells } from '../render/columns.ts';
import { connectionColumns, durationText, ratioText, topDropText } from '../render/connection-row.ts';
import { flowColumns } from '../render/flow-row.ts';
import { ScrollPane, type PaneLine, scrollRange } from '../ui/scroll-pane.tsx';
import { Table, windowStart } from '../ui/table.tsx';
import { textFilter, type ViewProps } from './view-props.ts';

/** The latest flows of one connection row, newest first. */
export function flowsOf(store: FlowStore, s: ConnectionStat, limit = 200): Flow[] {
  return store.flows.newest(limit, (f) => {
    const c = connectionOf(f);
    return c.source === s.row.source && c.destination === s.row.destination && c.port === s.row.port;
  });
}

/** The figures of one row, one per line (the detail pane's head). */
export function connectionFacts(s: ConnectionStat): string[] {
  const r = s.row;
  return [
    `flows ${r.flows} (${s.flowsPerSecond}/s)   drops ${r.drops}${r.drops ? ` (top reason: ${topDropText(s)})` : ''}`,
    `http requests ${r.httpRequests} (${s.httpPerSecond}/s), responses ${r.httpResponses}, 5xx ${r.http5xx} (${ratioText(serverErrorRatio(r))}), ` +
      `p50 ${durationText(latencyPercentile(r, 50))} p99 ${durationText(latencyPercentile(r, 99))}`,
    `dns responses ${r.dnsResponses}, errors ${r.dnsErrors}`,
  ];
}

export function ConnectionsView({ state, store, width, height, theme, time, report }: ViewProps) {
  const layout = useMemo(() => layoutColumns(connectionColumns(), width), [width]);
  const flowLayout = useMemo(() => layoutColumns(flowColumns(time), width), [width, time.utc]);

  if (state.detail) {
    const s = state.detail.item as ConnectionStat;
    const flows = flowsOf(store, s);
    const lines: PaneLine[] = [...connectionFacts(s), '', `Latest flows (${flows.length} kept)`, headerCells(flowLayout, theme),
      ...flows.map((f) => rowCells(flowLayout, f, theme))];
    report({ count: 1, pageSize: height - 1, detailLines: scrollRange(lines.length, height) });
    return <ScrollPane title={`${s.row.source} → ${s.row.destination} ${s.row.port}`} lines={lines} scroll={state.detail.scroll} height={height} theme={theme} hint="esc: back" />;
  }

  const keep = textFilter(state.filters['connections']);
  const rows = store.connections.snapshot(store.now()).filter((s) => keep(`${s.row.source} ${s.row.destination} ${s.row.port}`));
  const visible = height - 1;
  const c = Math.min(state.cursor['connections'] ?? 0, Math.max(0, rows.length - 1));
  const start = windowStart(c, visible, rows.length);
  report({ count: rows.length, pageSize: visible, selected: (i) => rows[i] });
  return <Table layout={layout} rows={rows.slice(start, start + visible)} offset={start} cursor={c} height={height} theme={theme} empty="no connections yet" />;
}
