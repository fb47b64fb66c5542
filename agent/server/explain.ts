// GET /v1/explain?src=&dst=&port=&protocol=: `policy explain` from this agent's live compiled
// state (the entries its policy map holds, the rule cookies it wrote), for the sides it holds.
import type { PolicyExplanation } from '../../api/status/explain.ts';
import { auditedPolicies, explainQuery, refusedPolicies, type ExplainQuery } from '../runtime/explain-target.ts';
import type { Agent } from '../runtime/agent.ts';

export function agentExplanation(agent: Agent, q: ExplainQuery): PolicyExplanation {
  const byKey = new Map([...agent.endpoints.records.values()].map((r) => [r.key, r.id]));
  return explainQuery({
    nodeName: agent.nodeName,
    state: agent.state,
    compiled: agent.policies.compiler,
    podIdentity: (k) => agent.podIdentities.get(k),
    localEndpoint: (k) => byKey.get(k),
    identityLabels: (id) => agent.allocator.identities().find((s) => s.id === id)?.labels,
    cidr: agent.cidr,
    ruleId: (d, p) => agent.rules.idOf(d, p),
    notEnforced: [...refusedPolicies(agent.policies.invalid, agent.state.objects.policies), ...auditedPolicies(agent.state.objects.policies)],
  }, q);
}
