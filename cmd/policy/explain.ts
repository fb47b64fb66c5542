// `kubectl netobs policy explain SRC DST:PORT/PROTO`: from the live agents through the relay
// (each answers for the endpoints it holds; the answers are merged), or offline from policy
// files and a cluster snapshot, compiled here by the agent's own compiler and explained by the
// same code the agents run.
import { formatExplanation, mergeExplanations, type PolicyExplanation } from '../../api/status/explain.ts';
import { statusPath } from '../../api/status/paths.ts';
import { UserError } from '../../lib/errors.ts';
import { podHasOwnNetwork, objectKey, type PolicyObject } from '../../lib/kube-objects.ts';
import { ClusterState } from '../../agent/cluster/state.ts';
import { RuleIds } from '../../agent/datapath/rule-ids.ts';
import { CidrIdentities } from '../../agent/identity/cidr-identities.ts';
import { IdentityAllocator } from '../../agent/identity/allocator.ts';
import type { LabelSet } from '../../agent/identity/labels.ts';
import { loadClusterFile } from '../../agent/k8s/cluster-file.ts';
import { MemoryClusterSource } from '../../agent/k8s/memory-source.ts';
import type { IdentityInfo, LocalEndpoint } from '../../agent/policy/views.ts';
import { namedPorts, nodeInfos, podLabels, servicesView } from '../../agent/runtime/cluster-view.ts';
import { auditedPolicies, explainQuery, refusedPolicies, type ExplainQuery } from '../../agent/runtime/explain-target.ts';
import { PolicyState } from '../../agent/runtime/policies.ts';
import { RelayApi, type RelayFlags } from '../relay-api.ts';
import { readDocuments } from './validate.ts';

export interface ExplainArgs extends RelayFlags {
  src: string;
  dst: string;
  policies?: string[] | undefined;
  'cluster-file'?: string[] | undefined;
}

/** `ns/pod:80/TCP`, `10.0.0.1:53/UDP`, `1234:80` (TCP by default), `ns/pod:8/ICMP` (an ICMP type). */
export function parseDestination(text: string): { dst: string; port: number; protocol: string } {
  const m = /^(.+):([0-9]{1,5})(?:\/([A-Za-z0-9]+))?$/.exec(text);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new UserError(`destination ${JSON.stringify(text)}: use DST:PORT/PROTO, e.g. default/deathstar:80/TCP`);
  return { dst: m[1]!.replace(/^\[(.*)\]$/, '$1'), port, protocol: (m[3] ?? 'TCP').toUpperCase() };
}

export async function runExplain(f: ExplainArgs): Promise<PolicyExplanation> {
  const q: ExplainQuery = { src: f.src, ...parseDestination(f.dst) };
  const offline = (f.policies?.length ?? 0) > 0 || (f['cluster-file']?.length ?? 0) > 0;
  if (offline) {
    if (!f['cluster-file']?.length) throw new UserError('policy explain --policies: also give the cluster snapshot (--cluster-file pods.yaml, e.g. from kubectl get pods,namespaces,services,nodes -A -o yaml)');
    return explainOffline(q, f.policies ?? [], f['cluster-file']);
  }
  const api = await RelayApi.connect(f);
  try {
    const answers = await api.query(statusPath.explain(q));
    const ok = answers.flatMap((a) => (a.body ? [a.body] : []));
    const failed = answers.filter((a) => a.error);
    // A bad SRC or DST fails the same way on every node: say it once.
    if (ok.length === 0) throw new UserError(`policy explain: ${failed[0]?.error ?? 'no agent answered'}`);
    for (const n of failed) process.stderr.write(`warning: node ${n.node}: ${n.error}\n`);
    return mergeExplanations(ok);
  } finally {
    await api.close();
  }
}

/** Every pod of the snapshot as an endpoint of one imaginary node, identities as the allocator would give them. */
export async function explainOffline(q: ExplainQuery, policyFiles: readonly string[], clusterFiles: readonly string[]): Promise<PolicyExplanation> {
  const src = new MemoryClusterSource();
  for (const file of clusterFiles) loadClusterFile(file, src);
  for (const file of policyFiles) for (const doc of await readDocuments(file)) src.put('policies', doc as PolicyObject);
  const state = new ClusterState();
  await src.start({ event: (ev) => state.apply(ev), identity: () => {}, synced: () => {}, connection: () => {} });
  const allocator = new IdentityAllocator(src.identities);
  const podIdentities = new Map<string, { id: number; labels: LabelSet }>();
  const identities = new Map<number, IdentityInfo>();
  const endpoints: LocalEndpoint[] = [];
  const endpointIds = new Map<string, number>();
  for (const pod of state.objects.pods.values()) {
    if (!podHasOwnNetwork(pod)) continue;
    const labels = podLabels(state, pod);
    const id = await allocator.allocate(labels);
    const key = objectKey(pod.metadata);
    podIdentities.set(key, { id, labels });
    identities.set(id, { labels, namedPorts: [...(identities.get(id)?.namedPorts ?? []), ...namedPorts(pod)] });
    endpointIds.set(key, endpoints.length + 1);
    endpoints.push({ id: endpoints.length + 1, identity: id, labels, namedPorts: namedPorts(pod) });
  }
  const cidr = new CidrIdentities();
  const policies = new PolicyState({ endpoints, identities, cidrIdentities: cidr, services: servicesView(state), nodes: nodeInfos(state, '') });
  policies.sync(state.objects.policies, true);
  const rules = new RuleIds();
  return mergeExplanations([explainQuery({
    nodeName: 'offline', state, compiled: policies.compiler,
    podIdentity: (k) => podIdentities.get(k),
    localEndpoint: (k) => endpointIds.get(k),
    identityLabels: (id) => identities.get(id)?.labels,
    cidr, ruleId: (d, p) => rules.idOf(d, p),
    notEnforced: [...refusedPolicies(policies.invalid, state.objects.policies), ...auditedPolicies(state.objects.policies)],
  }, q)]);
}

export async function printExplanation(e: PolicyExplanation, output: string | undefined): Promise<void> {
  if (output === 'json') process.stdout.write(JSON.stringify(e, null, 2) + '\n');
  else if (output === 'yaml') process.stdout.write((await import('yaml')).stringify(e));
  else process.stdout.write(formatExplanation(e));
}
