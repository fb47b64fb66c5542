// Column alignment like Go's text/tabwriter as hubble configures it (minwidth 2, padding 3,
// spaces): every cell but a row's last is padded to its column's widest cell plus three.
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? 2, visibleLength(cell));
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell + ' '.repeat((widths[i] ?? 2) + 3 - visibleLength(cell)) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}

/** Length without ANSI colour sequences. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}
