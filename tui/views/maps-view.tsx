// View 3: every BPF map of every node with its pressure; enter pages through one map's entries.
import { useMemo } from 'react';
import type { MapInfo } from '../model/types.ts';
import { layoutColumns, headerCells, rowCells } from '../render/columns.ts';
import { mapColumns, mapEntryColumns } from '../render/map-row.ts';
import { usePoll } from '../ui/hooks.ts';
import { ScrollPane, type PaneLine } from '../ui/scroll-pane.tsx';
import { Line } from '../ui/row.tsx';
import { Table, windowStart } from '../ui/table.tsx';
import { errorText, textFilter, type ViewProps } from './view-props.ts';

export const MAP_SORT_KEYS = ['node', 'name', 'pressure', 'entries'] as const;

export function sortMaps(list: readonly MapInfo[], key: (typeof MAP_SORT_KEYS)[number], descending: boolean): MapInfo[] {
  const cmp: Record<typeof key, (a: MapInfo, b: MapInfo) => number> = {
    node: (a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name),
    name: (a, b) => a.name.localeCompare(b.name) || a.node.localeCompare(b.node),
    pressure: (a, b) => b.pressure - a.pressure,
    entries: (a, b) => b.entries - a.entries,
  };
  const sorted = [...list].sort(cmp[key]);
  return descending ? sorted.reverse() : sorted;
}

function MapEntries({ map, page, height, width, theme, report, source, flash }: { map: MapInfo; page: number } & Pick<ViewProps, 'height' | 'width' | 'theme' | 'report' | 'source' | 'flash'>) {
  const pageSize = Math.max(1, height - 2);
  const polled = usePoll(() => source.mapEntries(map.node, map.name, { offset: page * pageSize, limit: pageSize }), 5000,
    [source, map.node, map.name, page, pageSize], (err) => flash(`map ${map.name}: ${errorText(err)}`));
  const total = polled.data?.total ?? map.entries;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  report({ count: 1, pageSize, detailLines: 0, detailPages: pages });
  const l = layoutColumns(mapEntryColumns(), width);
  const lines: PaneLine[] = [headerCells(l, theme)];
  if (polled.data) lines.push(...(polled.data.entries.length ? polled.data.entries.map((e) => rowCells(l, e, theme)) : ['no entries']));
  else lines.push(polled.error ? `unavailable: ${errorText(polled.error)}` : 'loading entries…');
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);
  return <ScrollPane title={`${map.name} on ${map.node}  entries ${first}-${last} of ${total}  page ${page + 1}/${pages}`}
    lines={lines} scroll={0} height={height} theme={theme} hint="n/p: page  esc: back" />;
}

export function MapsView(p: ViewProps) {
  const { state, source, width, height, theme, report, flash } = p;
  const polled = usePoll(() => source.listMaps(), 3000, [source], (err) => flash(`maps: ${errorText(err)}`));
  const barWidth = width >= 120 ? 30 : 16;
  const layout = useMemo(() => layoutColumns(mapColumns(barWidth), width), [width, barWidth]);
  const sortKey = MAP_SORT_KEYS[state.sortColumn % MAP_SORT_KEYS.length]!;
  const keep = textFilter(state.filters['maps']);
  const rows = useMemo(() => sortMaps(polled.data ?? [], sortKey, state.sortDescending).filter((m) => keep(`${m.node} ${m.name} ${m.type}`)),
    [polled.data, sortKey, state.sortDescending, state.filters['maps']]);

  if (state.detail) return <MapEntries {...p} map={state.detail.item as MapInfo} page={state.detail.page} />;
  const cursor = Math.min(state.cursor['maps'] ?? 0, Math.max(0, rows.length - 1));
  const visible = height - 2;
  const start = windowStart(cursor, visible, rows.length);
  report({ count: rows.length, pageSize: visible, selected: (i) => rows[i] });
  const hot = rows.filter((m) => m.pressure >= 0.9).length;
  return (
    <>
      <Line text={`${rows.length} maps, ${hot} above 90%  sort: ${sortKey}${state.sortDescending ? ' (reversed)' : ''} (s: column, r: reverse)`}
        tone={hot ? 'bad' : 'muted'} theme={theme} />
      <Table layout={layout} rows={rows.slice(start, start + visible)} offset={start} cursor={cursor} height={height - 1} theme={theme}
        empty={polled.loading ? 'loading maps…' : polled.error ? `maps unavailable: ${errorText(polled.error)}` : 'no maps'} />
    </>
  );
}
