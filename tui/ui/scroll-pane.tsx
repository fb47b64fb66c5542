// A titled pane of lines scrolled from `scroll`: the detail panes and the help screen.
import { Box } from 'ink';
import type { Cell, Theme } from '../render/text.ts';
import { Line, Row } from './row.tsx';

export type PaneLine = string | readonly Cell[];

export function ScrollPane({ title, lines, scroll, height, theme, hint }: {
  title: string; lines: readonly PaneLine[]; scroll: number; height: number; theme: Theme; hint?: string;
}) {
  const body = Math.max(0, height - 1);
  const start = Math.max(0, Math.min(scroll, lines.length - body));
  const shown = lines.slice(start, start + body);
  const more = lines.length > body ? ` [${start + 1}-${start + shown.length}/${lines.length}]` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Line text={`${title}${more}${hint ? `  ${hint}` : ''}`} tone="accent" theme={theme} bold />
      {shown.map((l, i) => (typeof l === 'string' ? <Line key={i} text={l} /> : <Row key={i} cells={l} />))}
    </Box>
  );
}

/** The `detailLines` a pane of `count` lines in `height` rows reports: one per scroll position. */
export function scrollRange(count: number, height: number): number {
  return Math.max(1, count - Math.max(1, height - 1) + 1);
}
