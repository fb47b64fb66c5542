import { UserError } from '../lib/errors.ts';
import { durationMs } from '../lib/duration.ts';

/** Parses a kubectl-style duration flag (`90s`, `5m`, `1h30m`, `500ms`) into milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UserError(`invalid ${flag} "${text}": use a duration such as 90s, 5m or 1h30m`);
  return ms;
}
