// The policy entities (fromEntities/toEntities) netobs knows: the CRD schema's enum
// (install/crds/policy-rule.ts) and the agent's parser (agent/policy/parse-crd-peers.ts) both read
// this list, so the API server and the agent accept the same words.
export const ENTITIES = ['all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'none'] as const;
export type Entity = (typeof ENTITIES)[number];

/**
 * Cilium entities netobs refuses, with why: each names peers netobs has no way to tell apart (or
 * that do not exist here), so accepting one would match nothing or more than it says.
 */
export const REFUSED_ENTITIES: Readonly<Record<string, string>> = {
  health: 'netobs runs no health endpoints, so it would match nothing',
  init: 'netobs drops a pod\'s traffic until its identity is known, so there is no init traffic to match',
  unmanaged: 'every pod netobs sees gets an identity from its labels, so it would match nothing',
  ingress: 'netobs has no ingress proxy of its own, so it would match nothing (select the ingress controller\'s pods with toEndpoints)',
  'world-ipv4': 'netobs has one world identity for both address families (use world, or toCIDR 0.0.0.0/0 with except)',
  'world-ipv6': 'netobs has one world identity for both address families (use world, or toCIDR ::/0 with except)',
  'cluster-mesh': 'netobs has no cluster mesh: use cluster',
};

/** Every Cilium entity: the CRD schema admits them all, so the agent (not the API server's
 * pruning or enum) says why a refused one is refused, with Valid=False. */
export const CILIUM_ENTITIES: readonly string[] = [...ENTITIES, ...Object.keys(REFUSED_ENTITIES)];
