// Unicode block sparklines for flows/s and drops/s.
const BLOCKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as blocks, scaled to the largest value shown (all ▁ when flat at 0). */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const max = Math.max(0, ...shown);
  const line = shown.map((v) => (max === 0 ? BLOCKS[0] : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
  return line.padStart(width, ' ');
}
