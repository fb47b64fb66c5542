// Small questions asked of a flow by the store and the views (pure).
import { EventType, Verdict, type Endpoint, type Flow, type Policy } from '../../api/types.ts';
import { RESERVED_IDENTITY } from '../../api/names.ts';

/**
 * Drop reasons that mean "a policy said no": policy denied, deny rule, and an L7-policed port
 * reached without the proxy (the policy fails closed). Numbers from api/types.ts DropReason, which
 * follow bpf/lib/drop.h (test/bpf/constants-drift.test.ts).
 */
const POLICY_DROP_REASONS = new Set([133, 178, 181]);

export function isDrop(f: Flow): boolean {
  return f.verdict === Verdict.DROPPED;
}

export function isPolicyDenial(f: Flow): boolean {
  return f.verdict === Verdict.DROPPED && (POLICY_DROP_REASONS.has(f.drop_reason_desc ?? 0) ||
    f.event_type?.type === EventType.POLICY_VERDICT || !!f.ingress_denied_by?.length || !!f.egress_denied_by?.length);
}

/** A policy decision worth counting: a policy-verdict event, a policy drop, or a flow naming its policies. */
export function isPolicyVerdict(f: Flow): boolean {
  return f.event_type?.type === EventType.POLICY_VERDICT || isPolicyDenial(f) ||
    !!f.ingress_allowed_by?.length || !!f.egress_allowed_by?.length;
}

export function policyName(p: Policy): string {
  const name = p.name ?? '?';
  return p.namespace ? `${p.namespace}/${name}` : name;
}

/** The policies a verdict flow names, for its side (allowed or denied). */
export function policiesOf(f: Flow): Policy[] {
  return isDrop(f)
    ? [...(f.ingress_denied_by ?? []), ...(f.egress_denied_by ?? [])]
    : [...(f.ingress_allowed_by ?? []), ...(f.egress_allowed_by ?? [])];
}

/** A short stable name for one side: `ns/workload`, `ns/pod`, a reserved identity, or the IP. */
export function endpointName(ep: Endpoint | undefined, ip: string | undefined): string {
  if (ep?.pod_name) {
    const workload = ep.workloads?.[0]?.name;
    return `${ep.namespace ?? ''}/${workload ?? ep.pod_name}`;
  }
  const reserved = ep?.labels?.find((l) => l.startsWith('reserved:'));
  if (reserved) return reserved.slice('reserved:'.length);
  if (ep?.identity !== undefined && ep.identity < 256 && RESERVED_IDENTITY[ep.identity] && ep.identity !== 0) {
    return RESERVED_IDENTITY[ep.identity]!;
  }
  return ip ?? '?';
}

/** Destination port and protocol, `TCP/80`, `UDP/53`, `ICMPv4`; '' when not L4. */
export function portProto(f: Flow): string {
  const l4 = f.l4;
  if (!l4) return '';
  if (l4.TCP) return `TCP/${l4.TCP.destination_port ?? 0}`;
  if (l4.UDP) return `UDP/${l4.UDP.destination_port ?? 0}`;
  if (l4.SCTP) return `SCTP/${l4.SCTP.destination_port ?? 0}`;
  if (l4.ICMPv4) return 'ICMPv4';
  if (l4.ICMPv6) return 'ICMPv6';
  return '';
}

/** Milliseconds since the epoch of the flow's timestamp (0 when absent). */
export function flowTimeMs(f: Flow): number {
  return (f.time?.seconds ?? 0) * 1000 + Math.floor((f.time?.nanos ?? 0) / 1e6);
}
