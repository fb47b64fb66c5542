// FlowFilter evaluation with hubble semantics: within a field the values are OR-ed, the fields
// of one filter are AND-ed, and a flow passes a request when it matches any whitelist filter
// (or the whitelist is empty) and no blacklist filter. Filters compile once per request.
import type { Flow, FlowFilter, GetFlowsResponse } from '../types.ts';
import { FIELD_COMPILERS } from './filter-fields.ts';
import { FilterError } from './filter-match.ts';

export { FilterError } from './filter-match.ts';

export type FlowPredicate = (flow: Flow) => boolean;

/** One filter: the AND of its non-empty fields; an empty filter matches every flow. */
export function compileFilter(filter: FlowFilter): FlowPredicate {
  const checks: FlowPredicate[] = [];
  for (const [field, values] of Object.entries(filter) as [keyof FlowFilter, unknown][]) {
    if (!Array.isArray(values) || values.length === 0) continue;
    const compiler = FIELD_COMPILERS[field];
    if (!compiler) throw new FilterError(`invalid filter: unsupported field ${field}`);
    checks.push(compiler(values as never));
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0] as FlowPredicate;
  return (flow) => checks.every((c) => c(flow));
}

/** Any whitelist match (or no whitelist) minus any blacklist match. Throws FilterError. */
export function compileFilters(whitelist: readonly FlowFilter[] = [], blacklist: readonly FlowFilter[] = []): FlowPredicate {
  const allow = whitelist.map(compileFilter);
  const deny = blacklist.map(compileFilter);
  if (allow.length === 0 && deny.length === 0) return () => true;
  return (flow) => (allow.length === 0 || allow.some((p) => p(flow))) && !deny.some((p) => p(flow));
}

/** Applies a flow predicate to a response: flows are filtered, lost events and node status always pass. */
export function responsePasses(predicate: FlowPredicate, res: GetFlowsResponse): boolean {
  return res.flow ? predicate(res.flow) : true;
}
