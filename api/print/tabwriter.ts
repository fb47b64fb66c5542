// Column alignment as Go's text/tabwriter does it with hubble's settings (minwidth 2, tabwidth 0,
// padding 3, pad with spaces, no flags): cells are tab-terminated, so a line's last cell is never
// aligned; a column is aligned over each run of consecutive lines that have a cell in it, and is as
// wide as its widest cell plus the padding. Widths count characters (Go counts runes).

export interface TabOptions { minwidth: number; padding: number }
export const HUBBLE_TABS: TabOptions = { minwidth: 2, padding: 3 };

const width = (cell: string): number => [...cell].length;

/** Aligns tab-separated, newline-terminated text. */
export function tabwrite(text: string, o: TabOptions = HUBBLE_TABS): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  let out = '';

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i] ?? [];
      cells.forEach((cell, j) => {
        const w = widths[j];
        out += j < widths.length && w !== undefined ? cell + ' '.repeat(Math.max(0, w - width(cell))) : cell;
      });
      if (i < lines.length - 1) out += '\n';
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let row = line0; row < line1; row++) {
      if (column >= (lines[row]?.length ?? 0) - 1) continue;
      writeLines(line0, row); // lines before this column block
      line0 = row;
      let w = o.minwidth;
      for (; row < line1; row++) {
        const cells = lines[row] ?? [];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column] ?? '') + o.padding);
      }
      widths.push(w);
      format(line0, row); // the columns to the right, within this block
      widths.pop();
      line0 = row;
      row--; // the outer loop's increment must look at the line that ended the block again
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

/** Length without ANSI colour sequences. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}
