/** Rows in columns three spaces apart, as kubectl prints them; one line per row, no trailing spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd()).join('\n') + '\n';
}
