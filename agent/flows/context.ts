// What the event-to-flow conversion asks about the world: who is behind an IP, which service,
// which DNS names, which policies a rule cookie stands for. The runtime answers from its cluster
// state; tests answer from tables. Keeping it an interface keeps convert.ts pure.
import type { Endpoint, Policy, Service, Timestamp } from '../../api/types.ts';

export interface FlowContext {
  readonly nodeName: string;
  /** The Endpoint of a pod IP (ID set for local pods), undefined for other addresses. */
  endpointByIp(ip: string): Endpoint | undefined;
  /** Labels for an identity that is not a pod (reserved:world, cidr:...). */
  identityLabels(identity: number): string[];
  serviceOf(ip: string, port: number): Service | undefined;
  /** DNS names this node saw resolving to the IP (without the trailing dot). */
  namesOf(ip: string): string[] | undefined;
  /** Policies behind a policy map cookie, and whether it was a deny entry. */
  rule(ruleId: number): { deny: boolean; policies: readonly Policy[] } | undefined;
  /** Policies that made an endpoint default-deny in a direction (named by POLICY_DENIED drops). */
  enforcers(endpointId: number, direction: 'ingress' | 'egress'): readonly Policy[];
  interfaceName(ifindex: number): string | undefined;
  /** Wall-clock time of a CLOCK_MONOTONIC timestamp. */
  wallTime(monotonicNs: bigint): Timestamp;
}
