// A small cluster for compiler tests: pods with fixed identities, some of them on this node.
import { parse } from 'yaml';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { podSecurityLabels } from '../../../agent/identity/security-labels.ts';
import { compilePolicies, type CompileInput, type CompileResult } from '../../../agent/policy/compile.ts';
import { entryFormatter, type PolicyEntry } from '../../../agent/policy/entries.ts';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import type { IdentityInfo, LocalEndpoint, NamedPort } from '../../../agent/policy/views.ts';

export interface Pod {
  readonly identity: number;
  readonly ns: string;
  readonly labels: Record<string, string>;
  readonly nsLabels?: Record<string, string>;
  readonly namedPorts?: NamedPort[];
  /** Endpoint id when the pod runs on this node. */
  readonly endpoint?: number;
  /** Pod IPs (for ipBlocks that cover pods). */
  readonly ips?: string[];
}

export function cluster(pods: readonly Pod[]): Pick<CompileInput, 'identities' | 'endpoints'> {
  const identities = new Map<number, IdentityInfo>();
  const endpoints: LocalEndpoint[] = [];
  for (const p of pods) {
    const labels = podSecurityLabels({ namespace: p.ns, podLabels: p.labels, namespaceLabels: p.nsLabels });
    const prev = identities.get(p.identity);
    identities.set(p.identity, { labels, namedPorts: p.namedPorts ?? [], ...(p.ips || prev?.ips ? { ips: [...(prev?.ips ?? []), ...(p.ips ?? [])] } : {}) });
    if (p.endpoint !== undefined) endpoints.push({ id: p.endpoint, identity: p.identity, labels, namedPorts: p.namedPorts ?? [] });
  }
  return { identities, endpoints };
}

export function compileYaml(policies: readonly string[], pods: readonly Pod[], extra: Partial<CompileInput> = {}): CompileResult {
  return compilePolicies({
    policies: policies.map((p) => parsePolicy(parse(p))),
    cidrIdentities: new CidrIdentities(),
    ...cluster(pods),
    ...extra,
  });
}

/** Entries as text lines (CIDR identities as `cidr:<prefix>`), optionally only one endpoint's. */
export function lines(r: CompileResult, endpointId?: number, entries: readonly PolicyEntry[] = r.entries): string[] {
  const cidr = new Map(r.ipcache.map((c) => [c.identity, `cidr:${c.prefix}`]));
  return entries.filter((e) => endpointId === undefined || e.endpointId === endpointId).map(entryFormatter((id) => cidr.get(id) ?? String(id)));
}

/** Remote identities, with CIDR identities as `cidr:<prefix>`. */
export function remotes(r: CompileResult, endpointId: number): (number | string)[] {
  const cidr = new Map(r.ipcache.map((c) => [c.identity, `cidr:${c.prefix}`]));
  return r.entries.filter((e) => e.endpointId === endpointId).map((e) => cidr.get(e.remoteIdentity) ?? e.remoteIdentity);
}

export const crd = (name: string, spec: string, ns = 'default') =>
  `apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}`;
export const ccnp = (name: string, spec: string) =>
  `apiVersion: netobs.io/v1alpha1\nkind: ClusterwideNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n${spec}`;
export const knp = (name: string, spec: string, ns = 'default') =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}`;
