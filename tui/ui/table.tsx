// A table that renders only the rows in its window: the header, then at most `height - 1` rows
// around the cursor. Callers pass either all rows or just the visible slice with its offset.
import { Box } from 'ink';
import type { ReactNode } from 'react';
import { headerCells, rowCells, type Layout } from '../render/columns.ts';
import type { Theme } from '../render/text.ts';
import { Line, Row } from './row.tsx';

/** First row index to show so that the cursor stays inside a window of `visible` rows. */
export function windowStart(cursor: number, visible: number, count: number): number {
  if (visible <= 0) return 0;
  const maxStart = Math.max(0, count - visible);
  return Math.max(0, Math.min(maxStart, cursor - visible + 1));
}

export interface TableProps<T> {
  layout: Layout<T>;
  /** Rows from index `offset` on (only the visible ones need to be given). */
  rows: readonly T[];
  offset?: number;
  cursor: number;
  height: number;
  theme: Theme;
  /** Shown instead of rows when there are none. */
  empty?: string;
  showCursor?: boolean;
}

export function Table<T>({ layout, rows, offset = 0, cursor, height, theme, empty = 'no rows', showCursor = true }: TableProps<T>) {
  const visible = Math.max(0, height - 1);
  const lines: ReactNode[] = [];
  for (let i = 0; i < Math.min(visible, rows.length); i++) {
    const index = offset + i;
    lines.push(<Row key={i} cells={rowCells(layout, rows[i]!, theme)} selected={showCursor && index === cursor} />);
  }
  return (
    <Box flexDirection="column" height={height}>
      <Row cells={headerCells(layout, theme)} />
      {rows.length === 0 ? <Line text={empty} tone="muted" theme={theme} /> : lines}
    </Box>
  );
}
