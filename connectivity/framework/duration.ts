// Durations as kubectl and Go tools spell them (`500ms`, `2s`, `1m30s`); a bare number is seconds.
import { durationMs } from '../../lib/duration.ts';

export function parseDuration(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const ms = durationMs(s);
  if (ms === undefined) throw new Error(`invalid duration "${text}" (use e.g. 500ms, 2s, 1m30s)`);
  return ms;
}
