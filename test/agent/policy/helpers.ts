// Shared fixtures for the policy tests: policies written as YAML, as users write them.
import { parse } from 'yaml';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import type { ParsedPolicy } from '../../../agent/policy/types.ts';

export function yamlPolicy(text: string): ParsedPolicy {
  return parsePolicy(parse(text));
}

export const ALLOW_FRONTEND = `
apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata:
  name: allow-frontend
  namespace: network-policy-test
spec:
  endpointSelector:
    matchLabels:
      role: frontend
  ingress:
  - fromEndpoints:
    - matchLabels:
        role: backend
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
`;

export const ALLOW_FRONTEND_K8S = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-frontend
  namespace: network-policy-test
spec:
  podSelector:
    matchLabels:
      role: frontend
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: backend
    ports:
    - port: 80
      protocol: TCP
`;
