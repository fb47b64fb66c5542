// The RBAC evaluator against a table of requests: verbs, groups, subresources, resourceNames,
// non-resource URLs, binding kinds and subjects, aggregation, and the real server's 403 wording.
import test from 'ava';
import { authorize, forbiddenMessage, rulesReview, type Attributes, type RbacObjects, type UserInfo } from '../../../lab/apiserver/rbac.ts';
import { defaultRbac } from '../../../lab/apiserver/default-rbac.ts';
import type { KObject } from '../../../lab/apiserver/types.ts';

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: object[], ns?: string, extra: object = {}): KObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, rules, ...extra }) as KObject;
const bind = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, ref: string, subjects: object[], ns?: string): KObject =>
  ({ kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, roleRef: { kind: ref.split('/')[0], name: ref.split('/')[1] }, subjects }) as KObject;

const defaults = defaultRbac();
const objs: RbacObjects = {
  clusterRoles: [
    ...defaults.filter((o) => o.kind === 'ClusterRole'),
    role('ClusterRole', 'pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]),
    role('ClusterRole', 'status-writer', [{ apiGroups: ['netobs.io'], resources: ['*/status'], verbs: ['patch'] }]),
    role('ClusterRole', 'urls', [{ nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] }]),
    { ...role('ClusterRole', 'monitoring', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }] } } as KObject,
    { ...role('ClusterRole', 'monitoring-endpoints', [{ apiGroups: [''], resources: ['endpoints'], verbs: ['list'] }]), metadata: { name: 'monitoring-endpoints', labels: { 'example.com/aggregate-to-monitoring': 'true' } } } as KObject,
  ],
  clusterRoleBindings: [
    ...defaults.filter((o) => o.kind === 'ClusterRoleBinding'),
    bind('ClusterRoleBinding', 'alice-pods', 'ClusterRole/pod-reader', [{ kind: 'User', name: 'alice' }]),
    bind('ClusterRoleBinding', 'ops-status', 'ClusterRole/status-writer', [{ kind: 'Group', name: 'ops' }]),
    bind('ClusterRoleBinding', 'sa-urls', 'ClusterRole/urls', [{ kind: 'ServiceAccount', name: 'scraper', namespace: 'mon' }]),
    bind('ClusterRoleBinding', 'mon', 'ClusterRole/monitoring', [{ kind: 'ServiceAccount', name: 'scraper', namespace: 'mon' }]),
    bind('ClusterRoleBinding', 'dangling', 'ClusterRole/missing', [{ kind: 'User', name: 'alice' }]),
  ],
  roles: [
    role('Role', 'secret-one', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['tls'] }], 'app'),
    role('Role', 'execer', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }], 'app'),
  ],
  roleBindings: [
    bind('RoleBinding', 'b1', 'Role/secret-one', [{ kind: 'ServiceAccount', name: 'relay', namespace: 'app' }], 'app'),
    bind('RoleBinding', 'b2', 'Role/execer', [{ kind: 'Group', name: 'system:serviceaccounts:app' }], 'app'),
    bind('RoleBinding', 'b3', 'ClusterRole/urls', [{ kind: 'User', name: 'bob' }], 'app'),
    bind('RoleBinding', 'b4', 'ClusterRole/view', [{ kind: 'User', name: 'bob' }], 'app'),
    bind('RoleBinding', 'b5', 'ClusterRole/edit', [{ kind: 'User', name: 'carol' }], 'app'),
  ],
};

const user = (username: string, ...groups: string[]): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] });
const sa = (ns: string, name: string): UserInfo => user(`system:serviceaccount:${ns}:${name}`, 'system:serviceaccounts', `system:serviceaccounts:${ns}`);
const res = (verb: string, resource: string, o: { group?: string; ns?: string; name?: string; sub?: string } = {}): Attributes => ({
  kind: 'resource',
  verb,
  group: o.group ?? '',
  resource,
  subresource: o.sub,
  namespace: o.ns,
  name: o.name,
});
const url = (verb: string, path: string): Attributes => ({ kind: 'nonResource', verb, path });
const anonymous: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

const cases: [string, UserInfo, Attributes, boolean][] = [
  ['system:masters may do anything without a binding', user('admin', 'system:masters'), res('delete', 'nodes', { name: 'n1' }), true],
  ['a ClusterRoleBinding grants in every namespace', user('alice'), res('list', 'pods', { ns: 'x' }), true],
  ['and at the cluster scope', user('alice'), res('list', 'pods'), true],
  ['get and list are not watch', user('alice'), res('watch', 'pods', { ns: 'x' }), false],
  ['another resource is not granted', user('alice'), res('get', 'services', { ns: 'x' }), false],
  ['a resource is not its subresource', user('alice'), res('get', 'pods', { ns: 'x', name: 'p', sub: 'log' }), false],
  ['the core group is not another group', user('alice'), res('get', 'pods', { group: 'metrics.k8s.io', ns: 'x' }), false],
  ['a binding to a missing role grants nothing more', user('alice'), res('get', 'missing'), false],
  ['*/status matches any status subresource in the group', user('x', 'ops'), res('patch', 'netobsnodes', { group: 'netobs.io', name: 'n', sub: 'status' }), true],
  ['*/status does not match the resource itself', user('x', 'ops'), res('patch', 'netobsnodes', { group: 'netobs.io', name: 'n' }), false],
  ['resourceNames: the named object', sa('app', 'relay'), res('get', 'secrets', { ns: 'app', name: 'tls' }), true],
  ['resourceNames: another object', sa('app', 'relay'), res('get', 'secrets', { ns: 'app', name: 'other' }), false],
  ['resourceNames: never a list', sa('app', 'relay'), res('list', 'secrets', { ns: 'app' }), false],
  ['a RoleBinding grants only in its namespace', sa('app', 'relay'), res('get', 'secrets', { ns: 'other', name: 'tls' }), false],
  ['a RoleBinding grants nothing at the cluster scope', sa('app', 'relay'), res('get', 'secrets', { name: 'tls' }), false],
  ['a ServiceAccount subject is that SA only', sa('other', 'relay'), res('get', 'secrets', { ns: 'app', name: 'tls' }), false],
  ['group system:serviceaccounts:<ns>: create pods/exec', sa('app', 'any'), res('create', 'pods', { ns: 'app', name: 'p', sub: 'exec' }), true],
  ['pods/exec create is not get', sa('app', 'any'), res('get', 'pods', { ns: 'app', name: 'p', sub: 'exec' }), false],
  ['verb * on a resource', sa('app', 'any'), res('deletecollection', 'deployments', { group: 'apps', ns: 'app' }), true],
  ['the apps group rule is not the core group', sa('app', 'any'), res('delete', 'deployments', { ns: 'app' }), false],
  ['non-resource URL, exact', sa('mon', 'scraper'), url('get', '/metrics'), true],
  ['non-resource URL, prefix *', sa('mon', 'scraper'), url('get', '/logs/kube.log'), true],
  ['non-resource URL, other verb', sa('mon', 'scraper'), url('post', '/metrics'), false],
  ['non-resource URLs through a RoleBinding grant nothing', user('bob'), url('get', '/metrics'), false],
  ['aggregated ClusterRole carries its selected roles', sa('mon', 'scraper'), res('list', 'endpoints', { ns: 'a' }), true],
  ['view via RoleBinding: list pods there', user('bob'), res('list', 'pods', { ns: 'app' }), true],
  ['view does not read secrets', user('bob'), res('get', 'secrets', { ns: 'app', name: 's' }), false],
  ['view does not write', user('bob'), res('create', 'pods', { ns: 'app' }), false],
  ['edit aggregates view (transitively)', user('carol'), res('watch', 'deployments', { group: 'apps', ns: 'app' }), true],
  ['edit writes secrets', user('carol'), res('create', 'secrets', { ns: 'app' }), true],
  ['edit does not write roles (admin does)', user('carol'), res('create', 'roles', { group: 'rbac.authorization.k8s.io', ns: 'app' }), false],
  ['system:discovery for the authenticated', user('nobody'), url('get', '/apis/apps/v1'), true],
  ['self access reviews for the authenticated', user('nobody'), res('create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' }), true],
  ['anonymous reads /version', anonymous, url('get', '/version'), true],
  ['anonymous reads /readyz', anonymous, url('get', '/readyz'), true],
  ['anonymous does not read discovery', anonymous, url('get', '/api'), false],
  ['anonymous does not list pods', anonymous, res('list', 'pods'), false],
];

for (const [name, u, a, want] of cases) {
  test(`${want ? 'allows' : 'denies'}: ${name}`, (t) => {
    t.is(authorize(u, a, objs), want);
  });
}

test('403 messages word the request as the real server does', (t) => {
  t.is(forbiddenMessage(sa('ns', 'sa'), res('list', 'pods', { ns: 'x' })), 'pods is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "pods" in API group "" in the namespace "x"');
  t.is(forbiddenMessage(user('u'), res('get', 'deployments', { group: 'apps', ns: 'x', name: 'web' })), 'deployments.apps "web" is forbidden: User "u" cannot get resource "deployments" in API group "apps" in the namespace "x"');
  t.is(forbiddenMessage(user('u'), res('list', 'secrets')), 'secrets is forbidden: User "u" cannot list resource "secrets" in API group "" at the cluster scope');
  t.is(forbiddenMessage(user('u'), res('create', 'pods', { ns: 'x', name: 'p', sub: 'exec' })), 'pods "p" is forbidden: User "u" cannot create resource "pods/exec" in API group "" in the namespace "x"');
  t.is(forbiddenMessage(anonymous, url('get', '/api')), 'forbidden: User "system:anonymous" cannot get path "/api"');
});

test('a rules review lists the rules of the namespace and the cluster, split by kind', (t) => {
  const r = rulesReview(sa('app', 'relay'), 'app', objs);
  t.true(r.resourceRules.some((x) => x.resources?.includes('secrets') && x.resourceNames?.includes('tls')));
  t.true(r.resourceRules.some((x) => x.resources?.includes('selfsubjectaccessreviews')));
  t.true(r.nonResourceRules.some((x) => x.nonResourceURLs?.includes('/api')));
  t.false(rulesReview(sa('app', 'relay'), 'other', objs).resourceRules.some((x) => x.resources?.includes('secrets')));
});
