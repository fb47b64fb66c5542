import { UserError } from '../lib/errors.ts';

/** Parses kubectl-style durations (`90s`, `5m`, `1h30m`, `500ms`) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (consumed !== text.length || text.length === 0) throw new UserError(`invalid ${flag} "${text}": use a duration such as 90s, 5m or 1h30m`);
  return total;
}
