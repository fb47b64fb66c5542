// Table columns as data, laid out against the terminal width. Fixed columns keep their width,
// flexible ones share what is left, columns with `minTotal` appear only on wide terminals.
import { cell, fit, type Cell, type Theme, type Tone } from './text.ts';

export interface Column<T> {
  title: string;
  /** Fixed width, or the minimum width of a flexible column. */
  width: number;
  /** Share of the remaining width (0 = fixed). */
  flex?: number;
  /** Upper bound of a flexible column. */
  max?: number;
  /** Show only when the terminal is at least this wide. */
  minTotal?: number;
  /** Show only when the terminal is narrower than this (a compact stand-in for wide columns). */
  maxTotal?: number;
  align?: 'left' | 'right';
  text(row: T): string;
  tone?(row: T): Tone | undefined;
}

export interface Layout<T> { columns: Column<T>[]; widths: number[] }

const GAP = 1;

export function layoutColumns<T>(all: readonly Column<T>[], total: number): Layout<T> {
  const columns = all.filter((c) => (!c.minTotal || total >= c.minTotal) && (!c.maxTotal || total < c.maxTotal));
  const widths = columns.map((c) => c.width);
  let free = total - widths.reduce((a, b) => a + b, 0) - GAP * (columns.length - 1);
  const flexSum = columns.reduce((a, c) => a + (c.flex ?? 0), 0);
  if (free > 0 && flexSum > 0) {
    // Two passes: capped columns take at most their max, the rest is shared again.
    let open = columns.map((c, i) => (c.flex ? i : -1)).filter((i) => i >= 0);
    while (free > 0 && open.length) {
      const share = open.reduce((a, i) => a + columns[i]!.flex!, 0);
      let used = 0;
      const next: number[] = [];
      for (const i of open) {
        const c = columns[i]!;
        const want = Math.floor((free * c.flex!) / share);
        const room = (c.max ?? Infinity) - widths[i]!;
        const add = Math.min(want, room);
        widths[i]! += add;
        used += add;
        if (room > want) next.push(i);
      }
      free -= used;
      if (used === 0) break;
      open = next;
    }
    // Rounding leftovers go to the last flexible column that can take them.
    const last = [...columns.keys()].reverse().find((i) => columns[i]!.flex && widths[i]! < (columns[i]!.max ?? Infinity));
    if (last !== undefined && free > 0) widths[last]! += free;
  }
  return { columns, widths };
}

export function headerCells<T>(l: Layout<T>, theme: Theme): Cell[] {
  return joinCells(l.columns.map((c, i) => cell(fit(c.title, l.widths[i]!, c.align), 'muted', theme)));
}

export function rowCells<T>(l: Layout<T>, row: T, theme: Theme): Cell[] {
  return joinCells(l.columns.map((c, i) => cell(fit(c.text(row), l.widths[i]!, c.align), c.tone?.(row), theme)));
}

function joinCells(cells: Cell[]): Cell[] {
  const out: Cell[] = [];
  cells.forEach((c, i) => { if (i > 0) out.push({ text: ' '.repeat(GAP) }); out.push(c); });
  return out;
}
