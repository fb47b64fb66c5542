// View 2: endpoints of every node, sortable and filterable; enter shows the endpoint's policy
// entries and its recent flows.
import { useMemo } from 'react';
import type { Flow } from '../../api/types.ts';
import type { FlowStore } from '../model/flow-store.ts';
import type { EndpointInfo } from '../model/types.ts';
import { layoutColumns, headerCells, rowCells } from '../render/columns.ts';
import { ENDPOINT_SORT_KEYS, endpointColumns, labelsText, policyEntryColumns, sortEndpoints } from '../render/endpoint-row.ts';
import { flowColumns } from '../render/flow-row.ts';
import type { Theme } from '../render/text.ts';
import type { TimeOptions } from '../render/flow-text.ts';
import { usePoll } from '../ui/hooks.ts';
import { ScrollPane, type PaneLine, scrollRange } from '../ui/scroll-pane.tsx';
import { Line } from '../ui/row.tsx';
import { Table, windowStart } from '../ui/table.tsx';
import { errorText, textFilter, type ViewProps } from './view-props.ts';

const RECENT_FLOWS = 20;

/** Flows from or to the endpoint, newest first (by IP: IDs repeat across nodes). */
export function recentFlows(store: FlowStore, e: EndpointInfo, limit = RECENT_FLOWS): Flow[] {
  const ips = new Set([e.ipv4, e.ipv6].filter(Boolean));
  return store.flows.newest(limit, (f) => ips.has(f.IP?.source) || ips.has(f.IP?.destination));
}

export function endpointDetailLines(e: EndpointInfo, flows: readonly Flow[], width: number, theme: Theme, time: TimeOptions): PaneLine[] {
  const lines: PaneLine[] = [
    `node ${e.node}  endpoint ${e.id}  identity ${e.identity}  status ${e.status}`,
    `IPv4 ${e.ipv4 ?? '-'}  IPv6 ${e.ipv6 ?? '-'}  ingress ${e.ingressEnforcement ? 'enforced' : 'not enforced'}  egress ${e.egressEnforcement ? 'enforced' : 'not enforced'}`,
    `labels ${e.labels.join(' ')}`,
    '',
  ];
  const entries = e.policyEntries ?? [];
  lines.push(`Policy entries (${entries.length})`);
  if (entries.length) {
    const l = layoutColumns(policyEntryColumns(), width);
    lines.push(headerCells(l, theme), ...entries.map((p) => rowCells(l, p, theme)));
  } else lines.push(e.policyEntries ? '  none: all traffic allowed' : '  not reported by this source');
  lines.push('', `Recent flows (${flows.length})`);
  const fl = layoutColumns(flowColumns(time), width);
  lines.push(headerCells(fl, theme), ...flows.map((f) => rowCells(fl, f, theme)));
  return lines;
}

export function EndpointsView({ state, store, source, width, height, theme, time, report, flash }: ViewProps) {
  const polled = usePoll(() => source.listEndpoints(), 3000, [source], (err) => flash(`endpoints: ${errorText(err)}`));
  const layout = useMemo(() => layoutColumns(endpointColumns(), width), [width]);
  const sortKey = ENDPOINT_SORT_KEYS[state.sortColumn % ENDPOINT_SORT_KEYS.length]!;
  const keep = textFilter(state.filters['endpoints']);
  const rows = useMemo(() => sortEndpoints(polled.data ?? [], sortKey, state.sortDescending)
    .filter((e) => keep(`${e.node} ${e.id} ${e.identity} ${e.ipv4 ?? ''} ${e.ipv6 ?? ''} ${e.status} ${labelsText(e.labels)}`)),
  [polled.data, sortKey, state.sortDescending, state.filters['endpoints']]);

  if (state.detail) {
    const e = state.detail.item as EndpointInfo;
    const lines = endpointDetailLines(e, recentFlows(store, e), width, theme, time);
    report({ count: 1, pageSize: height - 1, detailLines: scrollRange(lines.length, height) });
    return <ScrollPane title={`Endpoint ${e.id} on ${e.node}`} lines={lines} scroll={state.detail.scroll} height={height} theme={theme} hint="esc: back" />;
  }
  const cursor = Math.min(state.cursor['endpoints'] ?? 0, Math.max(0, rows.length - 1));
  const visible = height - 2;
  const start = windowStart(cursor, visible, rows.length);
  report({ count: rows.length, pageSize: visible, selected: (i) => rows[i] });
  const nodes = new Set(rows.map((e) => e.node)).size;
  return (
    <>
      <Line text={`${rows.length} endpoints on ${nodes} nodes  sort: ${sortKey}${state.sortDescending ? ' ↓' : ' ↑'} (s: column, r: reverse)`} tone="muted" theme={theme} />
      <Table layout={layout} rows={rows.slice(start, start + visible)} offset={start} cursor={cursor} height={height - 1} theme={theme}
        empty={polled.loading ? 'loading endpoints…' : polled.error ? `endpoints unavailable: ${errorText(polled.error)}` : 'no endpoints'} />
    </>
  );
}
