// View 6: the service map. Who talks to whom, per namespace, as a tree of workloads and their
// peers with drop and error highlights; `/` narrows it to the namespaces matching the filter.
import { Box } from 'ink';
import { serviceMapLines } from '../render/service-map.ts';
import { Line, Row } from '../ui/row.tsx';
import type { ViewProps } from './view-props.ts';

export function ServiceMapView({ state, store, width, height, theme, report }: ViewProps) {
  const ns = state.filters['servicemap'];
  const lines = serviceMapLines(store.connections.snapshot(store.now()), { ...(ns ? { namespace: ns } : {}), width, theme });
  // The cursor scrolls the map by lines: one row per line, no selection.
  const visible = Math.max(0, height);
  const maxStart = Math.max(0, lines.length - visible);
  const start = Math.min(state.cursor['servicemap'] ?? 0, maxStart);
  report({ count: maxStart + 1, pageSize: Math.max(1, visible - 1) });
  if (!lines.length) return <Line text={ns ? `no traffic in namespaces matching "${ns}"` : 'no traffic yet'} tone="muted" theme={theme} />;
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(start, start + visible).map((l, i) => <Row key={i} cells={l} />)}
    </Box>
  );
}
