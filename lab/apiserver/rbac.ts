// Kubernetes RBAC semantics over plain objects: which rules apply to a user in a namespace
// (RoleBindings there plus every ClusterRoleBinding, aggregated ClusterRoles resolved), and
// whether one of them allows a request. Pure: the caller hands in the RBAC objects it holds.
import type { KObject } from './types.ts';

export interface UserInfo {
  username: string;
  uid?: string | undefined;
  groups: string[];
  extra?: Record<string, string[]> | undefined;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export type Attributes = ({ kind: 'resource' } & ResourceAttributes) | ({ kind: 'nonResource' } & NonResourceAttributes);

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface RbacObjects {
  clusterRoles: KObject[];
  clusterRoleBindings: KObject[];
  roles: KObject[];
  roleBindings: KObject[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface RoleRef {
  kind: string;
  name: string;
}

const rulesOf = (o: KObject | undefined): PolicyRule[] => ((o?.['rules'] as PolicyRule[] | undefined) ?? []).filter((r) => r && Array.isArray(r.verbs));

/** A ClusterRole's rules, with those of the ClusterRoles its aggregationRule selects (transitively, as the aggregation controller's result is). */
export function clusterRoleRules(name: string, clusterRoles: KObject[], seen = new Set<string>()): PolicyRule[] {
  const role = clusterRoles.find((r) => r.metadata.name === name);
  if (!role || seen.has(name)) return [];
  seen.add(name);
  const agg = role['aggregationRule'] as { clusterRoleSelectors?: { matchLabels?: Record<string, string> }[] } | undefined;
  if (!agg?.clusterRoleSelectors?.length) return rulesOf(role);
  const selects = (c: KObject) =>
    agg.clusterRoleSelectors!.some((s) => Object.keys(s.matchLabels ?? {}).length > 0 && Object.entries(s.matchLabels ?? {}).every(([k, v]) => c.metadata.labels?.[k] === v));
  const selected = clusterRoles.filter((c) => c !== role && selects(c));
  return [...rulesOf(role), ...selected.flatMap((c) => clusterRoleRules(c.metadata.name ?? '', clusterRoles, seen))];
}

export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.username;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${s.namespace || bindingNamespace || ''}:${s.name}`;
    default:
      return false;
  }
}

/**
 * Every rule that applies to `user` for a request in `namespace` (undefined: cluster scope,
 * where only ClusterRoleBindings count), in binding order.
 */
export function rulesFor(user: UserInfo, namespace: string | undefined, objs: RbacObjects): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of objs.clusterRoleBindings) {
    const subjects = (b['subjects'] as Subject[] | undefined) ?? [];
    const ref = b['roleRef'] as RoleRef | undefined;
    if (ref?.kind !== 'ClusterRole' || !subjects.some((s) => subjectMatches(s, user, undefined))) continue;
    out.push(...clusterRoleRules(ref.name, objs.clusterRoles));
  }
  if (!namespace) return out;
  for (const b of objs.roleBindings) {
    if (b.metadata.namespace !== namespace) continue;
    const subjects = (b['subjects'] as Subject[] | undefined) ?? [];
    const ref = b['roleRef'] as RoleRef | undefined;
    if (!ref || !subjects.some((s) => subjectMatches(s, user, namespace))) continue;
    if (ref.kind === 'ClusterRole') {
      // Through a RoleBinding a ClusterRole grants only its resource rules, in this namespace.
      out.push(...clusterRoleRules(ref.name, objs.clusterRoles).filter((r) => !r.nonResourceURLs?.length));
    } else if (ref.kind === 'Role') {
      out.push(...rulesOf(objs.roles.find((r) => r.metadata.namespace === namespace && r.metadata.name === ref.name)));
    }
  }
  return out;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonResource') {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resOk = (rule.resources ?? []).some((r) => r === '*' || r === combined || (!!a.subresource && r === `*/${a.subresource}`));
  if (!resOk) return false;
  if (!rule.resourceNames?.length) return true;
  return !!a.name && rule.resourceNames.includes(a.name);
}

export function authorize(user: UserInfo, a: Attributes, objs: RbacObjects | (() => RbacObjects)): boolean {
  // system:masters is admin without any binding, as the real server's superuser group is.
  if (user.groups.includes('system:masters')) return true;
  const ns = a.kind === 'resource' ? a.namespace || undefined : undefined;
  return rulesFor(user, ns, typeof objs === 'function' ? objs() : objs).some((r) => ruleAllows(r, a));
}

/** The real server's wording: `pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "n"`. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (a.kind === 'nonResource') return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const what = a.name ? `${qualified} "${a.name}"` : qualified;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}`;
}

/** What SelfSubjectRulesReview reports: the resource and non-resource rules in one namespace. */
export function rulesReview(user: UserInfo, namespace: string, objs: RbacObjects): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
  const rules = user.groups.includes('system:masters')
    ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }]
    : rulesFor(user, namespace || undefined, objs);
  const resourceRules: PolicyRule[] = [];
  const nonResourceRules: PolicyRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
    if (r.resources?.length) {
      resourceRules.push({ verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...r.resources], ...(r.resourceNames?.length ? { resourceNames: [...r.resourceNames] } : {}) });
    }
  }
  return { resourceRules, nonResourceRules };
}
