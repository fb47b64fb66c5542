// The policy entities (fromEntities/toEntities) netobs knows: the CRD schema's enum
// (install/crds/policy-rule.ts) and the agent's parser (agent/policy/parse-crd-peers.ts) both read
// this list, so the API server and the agent accept the same words.
export const ENTITIES = ['all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'init', 'health', 'unmanaged', 'ingress', 'none'] as const;
export type Entity = (typeof ENTITIES)[number];
