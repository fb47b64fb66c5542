// Where an empty or partial selector reaches, by policy kind:
// - Kubernetes NetworkPolicy: podSelector {} = every pod of the policy's namespace; a peer with a
//   namespaceSelector reaches pods of the matching namespaces ({} = every namespace).
// - netobs NetworkPolicy (namespaced): endpointSelector and fromEndpoints/toEndpoints are limited
//   to the policy's namespace unless they constrain `io.kubernetes.pod.namespace` themselves (the
//   Cilium idiom for crossing namespaces).
// - netobs ClusterwideNetworkPolicy: selectors reach every namespace.
// Peer selectors reach pods only (never host, world...) unless they name a `reserved:` label.
import { NAMESPACE_KEY } from '../identity/labels.ts';
import { mentionsKey, withRequirements, type Requirement, type Selector } from './selector.ts';

const inNamespace = (ns: string): Requirement => ({ source: 'k8s', key: NAMESPACE_KEY, operator: 'In', values: [ns] });
const anyPod: Requirement = { source: 'k8s', key: NAMESPACE_KEY, operator: 'Exists', values: [] };

/** Subject (endpointSelector / podSelector); namespace undefined for clusterwide. */
export function scopeSubject(sel: Selector, namespace: string | undefined): Selector {
  if (namespace === undefined) return sel;
  return withRequirements(sel, inNamespace(namespace));
}

/** fromEndpoints / toEndpoints of a netobs CRD. */
export function scopePeer(sel: Selector, namespace: string | undefined): Selector {
  if (sel.requirements.some((r) => r.source === 'reserved')) return sel;
  if (mentionsKey(sel, NAMESPACE_KEY)) return sel;
  return withRequirements(sel, namespace === undefined ? anyPod : inNamespace(namespace));
}

/** A NetworkPolicy peer: podSelector and/or namespaceSelector (already namespace-label keyed). */
export function scopeK8sPeer(pod: Selector | undefined, ns: Selector | undefined, policyNamespace: string): Selector {
  if (ns === undefined) return withRequirements(pod ?? { requirements: [] }, inNamespace(policyNamespace));
  return withRequirements(pod ?? { requirements: [] }, ...ns.requirements, anyPod);
}
