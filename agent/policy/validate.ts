// Entry point for every policy object: recognise its kind, check metadata, parse it whole.
// A policy is either fully parsed or rejected with one message; it never half-applies.
import { fail, isObj, obj, PolicyInvalid, show, str, type Obj } from './invalid.ts';
import { parseNetobsPolicy } from './parse-crd.ts';
import { parseK8sNetworkPolicy } from './parse-k8s.ts';
import { prunedSpecField } from './pruned.ts';
import type { ParsedPolicy } from './types.ts';

export const NETOBS_POLICY_API_VERSION = 'netobs.io/v1alpha1';
export const K8S_POLICY_API_VERSION = 'networking.k8s.io/v1';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type Validation = { valid: true } | { valid: false; message: string };

function metadata(o: Obj, namespaced: boolean): { name: string; namespace: string | undefined } {
  const m = obj(o.metadata, 'metadata');
  const name = str(m.name, 'metadata.name');
  if (!DNS_SUBDOMAIN.test(name)) fail('metadata.name', `${show(name)} is not a valid name (lowercase letters, digits, '-' and '.')`);
  if (!namespaced) return { name, namespace: undefined };
  // Files validated before `kubectl apply` often omit the namespace: kubectl uses "default".
  const ns = m.namespace === undefined || m.namespace === null ? 'default' : str(m.namespace, 'metadata.namespace');
  if (!DNS_LABEL.test(ns)) fail('metadata.namespace', `${show(ns)} is not a valid namespace name`);
  return { name, namespace: ns };
}

/** Parses any supported policy object; throws PolicyInvalid with a one-line message. */
export function parsePolicy(raw: unknown): ParsedPolicy {
  if (!isObj(raw)) fail('', `${show(raw)} is not a policy object`);
  const pruned = prunedSpecField(raw);
  if (pruned) fail(pruned, 'was applied but is not in the schema, so the API server dropped it (a typo, or a field netobs does not know; kubectl --validate=false hides this): the stored policy is not what was written; fix the field and apply again');
  const apiVersion = raw.apiVersion;
  const kind = raw.kind;
  if (apiVersion === K8S_POLICY_API_VERSION && kind === 'NetworkPolicy') {
    const { name, namespace } = metadata(raw, true);
    return parseK8sNetworkPolicy(raw, name, namespace ?? 'default');
  }
  if (apiVersion === NETOBS_POLICY_API_VERSION && (kind === 'NetworkPolicy' || kind === 'ClusterwideNetworkPolicy')) {
    const namespaced = kind === 'NetworkPolicy';
    const { name, namespace } = metadata(raw, namespaced);
    return parseNetobsPolicy(raw, namespaced ? 'NetobsNetworkPolicy' : 'NetobsClusterwideNetworkPolicy', name, namespace);
  }
  if (typeof apiVersion === 'string' && apiVersion.startsWith('cilium.io/')) {
    const to = kind === 'CiliumClusterwideNetworkPolicy' ? 'ClusterwideNetworkPolicy' : 'NetworkPolicy';
    fail('apiVersion', `${show(apiVersion)} is Cilium's (use apiVersion ${NETOBS_POLICY_API_VERSION} and kind ${to})`);
  }
  fail('kind', `${show(apiVersion)} ${show(kind)} is not a policy (use ${K8S_POLICY_API_VERSION} NetworkPolicy, or ${NETOBS_POLICY_API_VERSION} NetworkPolicy or ClusterwideNetworkPolicy)`);
}

/** For `netobs policy validate` and the `Valid` status condition. */
export function validatePolicy(raw: unknown): Validation {
  try {
    parsePolicy(raw);
    return { valid: true };
  } catch (err) {
    if (err instanceof PolicyInvalid) return { valid: false, message: err.message };
    throw err;
  }
}
