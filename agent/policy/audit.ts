// Audit (staged) policies: what the datapath would decide if the audit policies were enforced,
// judged in userspace for each connection the datapath reports, with the same lookup
// (lookup.ts) over the shadow table (enforced and audit policies compiled together). Nothing
// here touches the datapath: traffic is judged by the enforced table only.
import { policyRefKey } from './entries.ts';
import { entryFinder, lookupPolicy, type MatchType } from './lookup.ts';
import type { Direction, PolicyRef } from './types.ts';
import type { CompiledPolicies } from './explain.ts';

export interface AuditVerdict {
  readonly allowed: boolean;
  /** The audit policies behind the verdict (the deny, the allow, or the default-deny they add). */
  readonly policies: readonly PolicyRef[];
  readonly match?: MatchType;
}

/**
 * The shadow verdict for one connection, when audit policies take part in it: their entry
 * decided, or they alone made the endpoint default-deny and nothing allows. Undefined otherwise
 * (the enforced policies alone decide, as they already do).
 */
export function judgeAudit(shadow: Pick<CompiledPolicies, 'group'>, audit: ReadonlySet<string>, endpointId: number, dir: Direction, remote: number, protocol: number, port: number): AuditVerdict | undefined {
  if (audit.size === 0) return undefined;
  const { entries, enforcers } = shadow.group(endpointId, dir);
  const r = lookupPolicy(entryFinder(entries), enforcers.length > 0, remote, protocol, port);
  const ours = (refs: readonly PolicyRef[]) => refs.filter((p) => audit.has(policyRefKey(p)));
  // An allow through the L7 proxy depends on each request's HTTP rules, which only the proxy
  // judges: no AUDIT verdict rather than a claim about requests nobody checked.
  if (r.reason === 'not-enforced' || r.reason === 'proxy') return undefined;
  // A default-deny drop is the audit policies' only when they alone select the endpoint.
  if (!r.entry && ours(enforcers).length < enforcers.length) return undefined;
  const policies = ours(r.entry ? r.entry.policies : enforcers);
  if (policies.length === 0) return undefined;
  return { allowed: r.allowed, policies, ...(r.match && { match: r.match }) };
}
