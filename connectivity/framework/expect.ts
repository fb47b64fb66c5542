// Expectation builders and the check of a probe's result against an expectation. A policy drop
// shows to the client as a timeout (the packet vanishes); a refusal or reset is something else
// (no listener, a reject), so it does not count as the expected drop.
import type { Action, DropReasonName, Expectation, L7Expectation, ProbeResult } from './types.ts';

export const success = (l7?: L7Expectation): Expectation => (l7 ? { outcome: 'success', l7 } : { outcome: 'success' });

/** Dropped by default-deny (no rule allows it): POLICY_DENIED, naming the policy that selected the pod. */
export const deniedBy = (policy: string): Expectation => ({ outcome: 'drop', reasons: ['POLICY_DENIED'], policy });

/** Dropped by an explicit deny rule: POLICY_DENY, naming the policy that holds the rule. */
export const denyRule = (policy: string): Expectation => ({ outcome: 'drop', reasons: ['POLICY_DENY'], policy });

export const anyPolicyDrop = (policy?: string): Expectation => {
  const reasons: DropReasonName[] = ['POLICY_DENIED', 'POLICY_DENY'];
  return policy ? { outcome: 'drop', reasons, policy } : { outcome: 'drop', reasons };
};

/** Problems with a probe result given the expectation; empty when it agrees. */
export function checkProbe(action: Action, expectation: Expectation, result: ProbeResult): string[] {
  if (expectation.outcome === 'drop') {
    if (result.ok) return ['expected a drop, but the probe succeeded'];
    if (result.errorCode !== 'timeout') return [`expected a drop (timeout), but the probe failed otherwise: ${result.error ?? result.errorCode ?? 'unknown error'}`];
    return [];
  }
  if (!result.ok) return [`expected success, but the probe failed: ${result.error ?? result.errorCode ?? 'unknown error'}`];
  const problems: string[] = [];
  const want = action.check;
  if (want?.httpStatus !== undefined && result.http?.status !== want.httpStatus) {
    problems.push(`expected HTTP status ${want.httpStatus}, got ${result.http?.status ?? 'none'}`);
  }
  if (want?.dnsAnswer !== undefined && !(result.dns?.answers ?? []).includes(want.dnsAnswer)) {
    problems.push(`expected DNS answer ${want.dnsAnswer}, got ${(result.dns?.answers ?? []).join(', ') || 'none'} (${result.dns?.rcode ?? 'no rcode'})`);
  }
  return problems;
}

export function describeExpectation(e: Expectation): string {
  if (e.outcome === 'success') return e.l7 ? 'success with L7 flows' : 'success';
  return `drop (${e.reasons.join('|')}${e.policy ? ` by ${e.policy}` : ''})`;
}
