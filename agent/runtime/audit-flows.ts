// AUDIT flows: for each connection the datapath reports (a policy verdict where the direction is
// enforced, the first event of a new connection where it is not), the shadow table's verdict
// (policy/audit.ts); when audit policies take part, one more flow, a copy of the connection's
// with Verdict AUDIT and the audit policies in *_denied_by / *_allowed_by. The policy metrics
// count it with action "audit". The packet itself was judged by the enforced table only.
import { EventType, Verdict, type Flow } from '../../api/types.ts';
import { POLICY_MATCH_NAME } from '../../api/names.ts';
import type { NetobsEvent } from '../../bpf/loader/index.ts';
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import { isCidrIdentity, ReservedIdentity } from '../identity/reserved.ts';
import { judgeAudit } from '../policy/audit.ts';
import type { CompiledPolicies } from '../policy/explain.ts';
import { policyPort } from '../policy/lookup.ts';
import type { Direction, PolicyRef } from '../policy/types.ts';
import type { Policy } from '../../api/types.ts';

const MATCH_NUMBER = new Map(Object.entries(POLICY_MATCH_NAME).map(([n, name]) => [name, Number(n)]));

export interface AuditTables {
  /** The enforced table: which directions the datapath judges. */
  readonly enforced: Pick<CompiledPolicies, 'group'>;
  readonly shadow: Pick<CompiledPolicies, 'group'>;
  /** The shadow table's CIDR identities (audit-only prefixes are not in the datapath's ipcache). */
  readonly shadowCidr: CidrIdentities;
  readonly audit: ReadonlySet<string>;
  readonly flowPolicy: (ref: PolicyRef) => Policy;
}

/** The AUDIT flow of an event and its L3/L4 flow, or undefined. */
export function auditFlow(t: AuditTables, ev: NetobsEvent, flow: Flow): Flow | undefined {
  if (ev.isReply !== false || ev.endpointId === 0 || (ev.direction !== 1 && ev.direction !== 2)) return undefined;
  const dir: Direction = ev.direction === 1 ? 'ingress' : 'egress';
  if (ev.type !== EventType.POLICY_VERDICT) {
    // The datapath sends a policy verdict for every new connection in an enforced direction.
    if (!ev.newConnection || t.enforced.group(ev.endpointId, dir).enforcers.length > 0) return undefined;
  }
  const remoteIp = dir === 'ingress' ? ev.srcIp : ev.dstIp;
  let remote = dir === 'ingress' ? ev.srcIdentity : ev.dstIdentity;
  if (remote === ReservedIdentity.world || isCidrIdentity(remote)) remote = t.shadowCidr.matchAddress(remoteIp) ?? ReservedIdentity.world;
  const v = judgeAudit(t.shadow, t.audit, ev.endpointId, dir, remote, ev.protocol, policyPort(ev.protocol, ev.dstPort, ev.icmpType));
  if (!v) return undefined;
  const f: Flow = { ...flow, uuid: crypto.randomUUID(), verdict: Verdict.AUDIT, event_type: { type: EventType.POLICY_VERDICT, sub_type: 0 } };
  for (const k of ['drop_reason', 'drop_reason_desc', 'trace_observation_point', 'ingress_allowed_by', 'egress_allowed_by', 'ingress_denied_by', 'egress_denied_by'] as const) delete f[k];
  const m = v.match && MATCH_NUMBER.get(v.match);
  if (m) f.policy_match_type = m;
  else delete f.policy_match_type;
  f[`${dir}_${v.allowed ? 'allowed' : 'denied'}_by`] = v.policies.map(t.flowPolicy);
  return f;
}
