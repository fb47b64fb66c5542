// View 4: policy verdicts. Allowed and denied counts per policy and per endpoint pair (latest
// denials first), and the latest denied flows; tab switches between the three tables.
import { useMemo } from 'react';
import type { Flow } from '../../api/types.ts';
import { endpointName, policiesOf, policyName } from '../model/flow-facts.ts';
import type { FlowStore } from '../model/flow-store.ts';
import { DEFAULT_DENY, type VerdictRow } from '../model/verdict-book.ts';
import { VERDICT_TABLES, type VerdictTable } from '../model/ui-state.ts';
import { layoutColumns, headerCells, rowCells } from '../render/columns.ts';
import { flowDetailLines } from '../render/flow-detail.ts';
import { flowColumns } from '../render/flow-row.ts';
import { destinationText, sourceText, summaryText, typeText } from '../render/flow-text.ts';
import { verdictColumns } from '../render/verdict-row.ts';
import { ScrollPane, type PaneLine, scrollRange } from '../ui/scroll-pane.tsx';
import { Line } from '../ui/row.tsx';
import { Table, windowStart } from '../ui/table.tsx';
import { textFilter, type ViewProps } from './view-props.ts';

const TITLES: Record<VerdictTable, string> = { policy: 'by policy', pair: 'by endpoint pair', denials: 'latest denials' };

/** The denials behind one row of the policy or pair table, newest first. */
export function denialsOf(store: FlowStore, table: VerdictTable, key: string, limit = 200): Flow[] {
  return store.verdicts.denials.newest(limit, (f) => {
    if (table === 'pair') return `${endpointName(f.source, f.IP?.source)} → ${endpointName(f.destination, f.IP?.destination)}` === key;
    const names = policiesOf(f).map(policyName);
    return names.length ? names.includes(key) : key === DEFAULT_DENY;
  });
}

export function VerdictsView({ state, store, width, height, theme, time, report }: ViewProps) {
  const table = state.verdictTable;
  const keep = textFilter(state.filters['verdicts']);
  const flowLayout = useMemo(() => layoutColumns(flowColumns(time), width), [width, time.utc]);
  const rowLayout = useMemo(() => layoutColumns(verdictColumns(table === 'pair' ? 'SOURCE → DESTINATION' : 'POLICY'), width), [width, table]);

  if (state.detail) {
    const item = state.detail.item as VerdictRow | Flow;
    let lines: PaneLine[];
    let title: string;
    if ('allowed' in item) {
      const flows = denialsOf(store, table, item.key);
      title = `${item.key}: ${item.allowed} allowed, ${item.denied} denied`;
      lines = [`Latest denials (${flows.length} kept)`, headerCells(flowLayout, theme), ...flows.map((f) => rowCells(flowLayout, f, theme))];
    } else {
      title = 'Denied flow';
      lines = flowDetailLines(item, time, width);
    }
    report({ count: 1, pageSize: height - 1, detailLines: scrollRange(lines.length, height) });
    return <ScrollPane title={title} lines={lines} scroll={state.detail.scroll} height={height} theme={theme} hint="esc: back" />;
  }

  const cursor = state.cursor['verdicts'] ?? 0;
  const visible = height - 2;
  const tabs = VERDICT_TABLES.map((t) => (t === table ? `[${TITLES[t]}]` : ` ${TITLES[t]} `)).join(' ');
  let body;
  if (table === 'denials') {
    const all = store.verdicts.denials.newest(store.verdicts.denials.size, (f) => keep(`${sourceText(f)} ${destinationText(f)} ${typeText(f)} ${summaryText(f)}`));
    const c = Math.min(cursor, Math.max(0, all.length - 1));
    const start = windowStart(c, visible, all.length);
    report({ count: all.length, pageSize: visible, selected: (i) => all[i] });
    body = <Table layout={flowLayout} rows={all.slice(start, start + visible)} offset={start} cursor={c} height={height - 1} theme={theme} empty="no denials yet" />;
  } else {
    const rows = store.verdicts.rows(table).filter((r) => keep(r.key));
    const c = Math.min(cursor, Math.max(0, rows.length - 1));
    const start = windowStart(c, visible, rows.length);
    report({ count: rows.length, pageSize: visible, selected: (i) => rows[i] });
    body = <Table layout={rowLayout} rows={rows.slice(start, start + visible)} offset={start} cursor={c} height={height - 1} theme={theme} empty="no policy verdicts yet" />;
  }
  return (
    <>
      <Line text={`${tabs}  (tab: switch)`} tone="muted" theme={theme} />
      {body}
    </>
  );
}
