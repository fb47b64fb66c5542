// View 1: the live flow stream, newest first, with flows/s and drops/s sparklines. Renders only
// the rows in the window: live, it walks the ring from the newest flow until the window is full.
import { Box } from 'ink';
import { useMemo } from 'react';
import type { Flow } from '../../api/types.ts';
import { compileFilter } from '../model/flow-filter.ts';
import { layoutColumns } from '../render/columns.ts';
import { flowDetailLines } from '../render/flow-detail.ts';
import { flowColumns } from '../render/flow-row.ts';
import { sparkline } from '../render/sparkline.ts';
import { cell, compactNumber, fit } from '../render/text.ts';
import { Row } from '../ui/row.tsx';
import { ScrollPane, scrollRange } from '../ui/scroll-pane.tsx';
import { Table, windowStart } from '../ui/table.tsx';
import { errorText, type ViewProps } from './view-props.ts';
import { explainRequest, explanationLines } from '../render/flow-explain.ts';
import { usePoll } from '../ui/hooks.ts';

export function sparkLine(flows: readonly number[], drops: readonly number[], fps: number, dps: number, width: number): [string, string] {
  const fl = `flows/s ${compactNumber(fps).padStart(5)} `;
  const dl = `  drops/s ${compactNumber(dps).padStart(5)} `;
  const sw = Math.max(0, Math.floor((width - fl.length - dl.length) / 2));
  return [fl + sparkline(flows, sw), fit(dl + sparkline(drops, sw), width - fl.length - sw)];
}

export function FlowsView({ state, store, source, frozen, width, height, theme, time, report }: ViewProps) {
  const filterText = state.filters['flows'] ?? '';
  const match = useMemo(() => { try { return compileFilter(filterText).match; } catch { return () => true; } }, [filterText]);
  const layout = useMemo(() => layoutColumns(flowColumns(time), width), [width, time.utc]);
  const filtered = useMemo(() => (frozen ? frozen.filter(match) : null), [frozen, match]);

  if (state.detail) {
    return <FlowDetail flow={state.detail.item as Flow} scroll={state.detail.scroll} source={source} width={width} height={height} theme={theme} time={time} report={report} />;
  }

  const tableHeight = height - 1;
  const visible = Math.max(0, tableHeight - 1);
  const cursor = state.cursor['flows'] ?? 0;
  let rows: readonly Flow[];
  let start: number;
  let count: number;
  if (filtered) {
    count = filtered.length;
    start = windowStart(cursor, visible, count);
    rows = filtered.slice(start, start + visible);
  } else {
    start = windowStart(cursor, visible, Number.MAX_SAFE_INTEGER);
    const head = store.flows.newest(start + visible, filterText ? match : undefined);
    rows = head.slice(start);
    count = head.length;
  }
  report({ count, pageSize: visible, selected: (i) => (filtered ? filtered[i] : rows[i - start]) });

  const r = store.rates(width);
  const [left, right] = sparkLine(r.flows, r.drops, r.flowsPerSecond, r.dropsPerSecond, width);
  return (
    <Box flexDirection="column" height={height}>
      <Row cells={[cell(left, 'ok', theme), cell(right, 'bad', theme)]} />
      <Table layout={layout} rows={rows} offset={start} cursor={cursor} height={tableHeight} theme={theme}
        showCursor={state.paused} empty={filterText ? 'no flows match the filter' : 'waiting for flows…'} />
    </Box>
  );
}

/** A flow's fields; for a drop, first why it was dropped (`policy explain` through the source). */
function FlowDetail({ flow, scroll, source, width, height, theme, time, report }: Pick<ViewProps, 'source' | 'width' | 'height' | 'theme' | 'time' | 'report'> & { flow: Flow; scroll: number }) {
  const req = useMemo(() => (source.explain ? explainRequest(flow) : undefined), [flow, source]);
  const why = usePoll(() => (req && source.explain ? source.explain(req) : Promise.resolve(undefined)), 0, [req]);
  const whyLines = !req ? [] : why.data ? explanationLines(why.data) : [why.error ? `policy explain: ${errorText(why.error)}` : 'policy explain: asking the agents…'];
  const lines = flowDetailLines(flow, time, width, whyLines);
  report({ count: 1, pageSize: height - 1, detailLines: scrollRange(lines.length, height) });
  return <ScrollPane title="Flow" lines={lines} scroll={scroll} height={height} theme={theme} hint="esc: back" />;
}

export function flowsStatus(s: { paused: boolean; filters: Record<string, string> }, buffered: number): string {
  const filter = s.filters['flows'] ? `  filter: ${s.filters['flows']}` : '';
  const mode = s.paused ? 'PAUSED (space)' : 'LIVE';
  return `${mode}  ${buffered} flows buffered${filter}`;
}
