// RBAC checked against an explicit allow-list: any new permission must be added here on purpose.
import test from 'ava';
import type { PolicyRule } from '../../../install/render/rbac.ts';
import { render } from './fixtures.ts';

const objects = render();
const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
const rulesOf = (kind: string, name: string) => (roles.find((r) => r.kind === kind && r.metadata.name === name)!.rules as PolicyRule[]);

/** kind/name -> "group/resource: verbs [names]" lines, the whole of what install grants. */
const ALLOWED: Record<string, string[]> = {
  'ClusterRole/netobs-agent': [
    '/pods: get,list,watch',
    '/namespaces: get,list,watch',
    '/nodes: get,list,watch',
    '/services: get,list,watch',
    'discovery.k8s.io/endpointslices: get,list,watch',
    'networking.k8s.io/networkpolicies: get,list,watch',
    'netobs.io/networkpolicies: get,list,watch',
    'netobs.io/clusterwidenetworkpolicies: get,list,watch',
    'netobs.io/networkpolicies/status: patch,update',
    'netobs.io/clusterwidenetworkpolicies/status: patch,update',
    'netobs.io/netobsidentities: get,list,watch,create,update,delete',
    'netobs.io/netobsnodes: get,list,watch,create,update,patch,delete',
    'netobs.io/netobsnodes/status: patch,update',
  ],
  'Role/netobs-agent': ['apps/daemonsets: get [netobs-agent]'],
  'Role/netobs-relay': ['/pods: get,list,watch', '/secrets: get [netobs-relay-tls]'],
  // Bound by an admin to the users who may read flows: find the relay, port-forward, its client certificate.
  'Role/netobs-user': [
    'apps/deployments: get [netobs-relay]',
    '/pods: get,list',
    '/pods/portforward: create,get',
    '/secrets: get [netobs-client-tls]',
  ],
};

function flatten(rules: PolicyRule[]): string[] {
  return rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}: ${r.verbs.join(',')}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`)),
  );
}

test('install grants exactly the allow-listed permissions', (t) => {
  const granted = Object.fromEntries(roles.map((r) => [`${r.kind}/${r.metadata.name}`, flatten(r.rules as PolicyRule[])]));
  t.deepEqual(granted, ALLOWED);
});

test('no wildcard groups, resources or verbs anywhere', (t) => {
  for (const r of roles) {
    for (const rule of r.rules as PolicyRule[]) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames ?? []]) {
        t.false(field.some((x) => x.includes('*')), `${r.kind}/${r.metadata.name}: ${JSON.stringify(rule)}`);
      }
    }
  }
});

test('secrets: only in a namespaced Role in the install namespace, only by name: the relay its TLS secret, users the client certificate', (t) => {
  for (const r of roles) {
    for (const rule of r.rules as PolicyRule[]) {
      if (!rule.resources.includes('secrets')) continue;
      t.is(r.kind, 'Role');
      t.is(r.metadata.namespace, 'netobs-system');
      t.deepEqual(rule.resourceNames, [r.metadata.name === 'netobs-user' ? 'netobs-client-tls' : 'netobs-relay-tls']);
      t.deepEqual(rule.verbs, ['get']);
    }
  }
  t.false(flatten(rulesOf('ClusterRole', 'netobs-agent')).some((l) => l.includes('secrets')));
});

test('no escalation verbs (bind, escalate, impersonate) and no RBAC or webhook resources', (t) => {
  const all = roles.flatMap((r) => flatten(r.rules as PolicyRule[]));
  t.false(all.some((l) => /\b(bind|escalate|impersonate)\b/.test(l)));
  t.false(all.some((l) => /rbac\.authorization|admissionregistration|certificates/.test(l)));
});

test('bindings point at the matching ServiceAccount in the install namespace', (t) => {
  const bindings = objects.filter((o) => o.kind.endsWith('Binding'));
  t.is(bindings.length, 3);
  for (const b of bindings) {
    const roleRef = b.roleRef as { kind: string; name: string };
    t.is(roleRef.kind, b.kind.replace('Binding', ''));
    t.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: b.metadata.name, namespace: 'netobs-system' }]);
    t.true(objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === b.metadata.name));
  }
});

test('without the relay there is no relay Role, binding or account', (t) => {
  const o = render({ sets: ['relay.enabled=false'] });
  t.false(o.some((x) => x.metadata.name === 'netobs-relay'));
  t.false(o.some((x) => x.metadata.name === 'netobs-relay-tls'));
});
