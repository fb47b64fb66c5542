// `policy explain` against a cluster state: resolves SRC and DST (ns/pod, an IP or an identity
// number) the way the datapath would see them (pod identity, node, CIDR identity or world), then
// runs the pure explanation (policy/explain.ts). The agent answers with its live state; the
// offline command builds the same inputs from files.
import type { NotEnforced, PolicyExplanation } from '../../api/status/explain.ts';
import { UserError } from '../../lib/errors.ts';
import { nodeAddresses, objectKey, podHasOwnNetwork, podIPs, type PodObject, type PolicyObject } from '../../lib/kube-objects.ts';
import type { ClusterState } from '../cluster/state.ts';
import { podWorkloads } from '../cluster/workloads.ts';
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import { parsePrefix } from '../identity/cidr.ts';
import { formatLabel, type LabelSet } from '../identity/labels.ts';
import { isCidrIdentity, ReservedIdentity, reservedName } from '../identity/reserved.ts';
import { explain, type CompiledPolicies, type ExplainSide } from '../policy/explain.ts';
import type { PolicyRef } from '../policy/types.ts';
import { NETOBS_POLICY_API_VERSION } from '../policy/validate.ts';
import { AUDIT_ANNOTATION } from '../../api/kube-names.ts';
import { isAudit } from './policies.ts';

export interface ExplainWorld {
  readonly nodeName: string;
  readonly state: ClusterState;
  readonly compiled: CompiledPolicies;
  podIdentity(podKey: string): { id: number; labels: LabelSet } | undefined;
  /** The endpoint id of a pod this node's datapath holds. */
  localEndpoint(podKey: string): number | undefined;
  identityLabels(id: number): LabelSet | undefined;
  readonly cidr: CidrIdentities;
  ruleId(deny: boolean, policies: readonly PolicyRef[]): number;
  readonly notEnforced: readonly NotEnforced[];
}

export interface ExplainQuery {
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  readonly protocol: string;
}

export function explainQuery(w: ExplainWorld, q: ExplainQuery): PolicyExplanation {
  return explain({
    compiled: w.compiled, node: w.nodeName, source: resolveSide(w, q.src), destination: resolveSide(w, q.dst),
    protocol: q.protocol, port: q.port, ruleId: (d, p) => w.ruleId(d, p), notEnforced: w.notEnforced,
  });
}

export function resolveSide(w: ExplainWorld, text: string): ExplainSide {
  if (/^[0-9]+$/.test(text)) {
    const id = Number(text);
    return { input: text, identity: id, labels: labelsOf(w, id) };
  }
  if (parsePrefix(text) && !text.includes('/')) return resolveIp(w, text);
  const m = /^([a-z0-9.-]+)\/([a-z0-9.-]+)$/.exec(text);
  if (!m) throw new UserError(`${JSON.stringify(text)}: not a pod (namespace/name), an IP or an identity number`);
  // A workload name (deathstar for the pods of Deployment deathstar) stands for its first pod by
  // name: every replica has the same labels, so the same identity and policies.
  const pod = w.state.pod(m[1]!, m[2]!) ?? [...w.state.objects.pods.values()]
    .filter((p) => (p.metadata.namespace ?? 'default') === m[1] && podHasOwnNetwork(p) && podWorkloads(p).some((wl) => wl.name === m[2]))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
  if (!pod) throw new UserError(`${text}: no such pod or workload`);
  return podSide(w, pod, text);
}

function podSide(w: ExplainWorld, pod: PodObject, input: string): ExplainSide {
  const key = objectKey(pod.metadata);
  const ident = w.podIdentity(key);
  if (!ident) throw new UserError(`pod ${key}: has no identity yet (not running, or host network)`);
  const ep = w.localEndpoint(key);
  const ip = podIPs(pod)[0];
  return {
    input, identity: ident.id, labels: ident.labels.map(formatLabel), pod: key,
    ...(ip && { ip }), ...(pod.spec?.nodeName && { node: pod.spec.nodeName }), ...(ep !== undefined && { endpointId: ep }),
  };
}

/** As the ipcache maps it: a pod, a node (host here, remote-node elsewhere), a policy CIDR, or world. */
function resolveIp(w: ExplainWorld, ip: string): ExplainSide {
  const pod = w.state.podByIp(ip);
  if (pod) return { ...podSide(w, pod, ip), ip };
  const svc = w.state.serviceByAddress(ip);
  if (svc) throw new UserError(`${ip} is the address of service ${svc.namespace}/${svc.name}: the datapath judges the backend a connection reaches, so explain with a backend pod (or ${svc.namespace}/WORKLOAD)`);
  const node = w.state.nodes().find((n) => nodeAddresses(n).includes(ip));
  if (node) {
    const id = node.metadata.name === w.nodeName ? ReservedIdentity.host : ReservedIdentity['remote-node'];
    return { input: ip, ip, identity: id, labels: labelsOf(w, id), node: node.metadata.name };
  }
  const id = w.cidr.matchAddress(ip) ?? ReservedIdentity.world;
  return { input: ip, ip, identity: id, labels: labelsOf(w, id) };
}

function labelsOf(w: ExplainWorld, id: number): string[] {
  if (isCidrIdentity(id)) {
    const prefix = w.cidr.prefixOf(id);
    return prefix ? [`cidr:${prefix}`, 'reserved:world'] : ['reserved:world'];
  }
  const name = reservedName(id);
  if (name) return id === 0 ? [] : [`reserved:${name}`];
  return (w.identityLabels(id) ?? []).map(formatLabel);
}

/** `NetobsNetworkPolicy default/x`, as explain names policies (policy/explain.ts policyName). */
export function policyObjectName(o: PolicyObject): string {
  const netobs = o.apiVersion === NETOBS_POLICY_API_VERSION;
  const kind = !netobs ? o.kind ?? 'NetworkPolicy' : o.kind === 'ClusterwideNetworkPolicy' ? 'NetobsClusterwideNetworkPolicy' : 'NetobsNetworkPolicy';
  return `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The policies refused by the parser: Valid=False, nothing of them enforced. */
export function refusedPolicies(invalid: ReadonlyMap<string, string>, objects: ReadonlyMap<string, PolicyObject>): NotEnforced[] {
  return [...invalid].map(([key, message]) => {
    const o = objects.get(key);
    return { policy: o ? policyObjectName(o) : key, reason: `refused (Valid=False), none of it is enforced: ${message}` };
  });
}

/** The policies in audit mode: compiled into the shadow table only. */
export function auditedPolicies(objects: ReadonlyMap<string, PolicyObject>): NotEnforced[] {
  return [...objects.values()].filter(isAudit).map((o) => ({
    policy: policyObjectName(o),
    reason: `audit mode (${AUDIT_ANNOTATION}: "true"): not enforced, its would-be verdicts show as AUDIT flows; remove the annotation to enforce it`,
  }));
}
