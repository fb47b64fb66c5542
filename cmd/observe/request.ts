// observe flags → GetFlowsRequest (pure): hubble's selectors and filters.
import { buildFlowFilters } from '../../api/filter/cli-filters.ts';
import { scanFilterArgs } from '../../api/filter/cli-flags.ts';
import { timestampFromMs } from '../../api/flow-time.ts';
import type { GetFlowsRequest, Timestamp } from '../../api/types.ts';
import { UserError } from '../../lib/errors.ts';

export interface SelectorFlags {
  last?: number | undefined;
  first?: number | undefined;
  all?: boolean | undefined;
  follow?: boolean | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** `--since 5m` (relative) or an RFC 3339 time. */
export function parseTimeArg(flag: string, text: string, now: number): Timestamp {
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (rel) return timestampFromMs(now - Number(rel[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'ms']!);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UserError(`invalid --${flag} "${text}": use a duration (5m, 1h) or an RFC 3339 time (2026-01-02T15:04:05Z)`);
  return timestampFromMs(t);
}

export function buildRequest(sel: SelectorFlags, rawArgs: readonly string[], now = Date.now()): GetFlowsRequest {
  if (sel.first !== undefined && sel.last !== undefined) throw new UserError('observe: --first and --last cannot be used together');
  if (sel.first !== undefined && sel.follow) throw new UserError('observe: --first and --follow cannot be used together');
  const req: GetFlowsRequest = {};
  if (sel.all) req.number = 0;
  else if (sel.first !== undefined) {
    req.number = sel.first;
    req.first = true;
  } else if (sel.last !== undefined) req.number = sel.last;
  else if (sel.since === undefined && sel.until === undefined) req.number = sel.follow ? 0 : 20; // hubble's default: the last 20
  if (sel.follow) req.follow = true;
  if (sel.since !== undefined) req.since = parseTimeArg('since', sel.since, now);
  if (sel.until !== undefined) req.until = parseTimeArg('until', sel.until, now);
  let filters;
  try {
    filters = buildFlowFilters(scanFilterArgs(rawArgs));
  } catch (err) {
    throw new UserError((err as Error).message, { cause: err });
  }
  if (filters.whitelist.length) req.whitelist = filters.whitelist;
  if (filters.blacklist.length) req.blacklist = filters.blacklist;
  return req;
}
