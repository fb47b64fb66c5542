import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { clusterwideNetworkPolicyCrd, identityCrd, netobsCrds, networkPolicyCrd, nodeCrd } from '../../../install/crds/definitions.ts';
import { structuralViolations, validateCustomResource } from '../../../lib/openapi-schema/index.ts';

const seeds = parseAllDocuments(readFileSync(new URL('../fixtures/seed-policies.yaml', import.meta.url), 'utf8')).map(
  (d) => d.toJS() as Record<string, unknown>,
);
const byName = (name: string) => seeds.find((s) => (s.metadata as { name: string }).name === name)!;
const messages = (obj: Record<string, unknown>, crd = networkPolicyCrd()) => validateCustomResource(crd, obj).errors.map((e) => e.message);

for (const crd of netobsCrds()) {
  test(`${crd.metadata.name} is structural and well-formed`, (t) => {
    const v = crd.spec.versions[0]!;
    t.deepEqual(structuralViolations(v.schema!.openAPIV3Schema), []);
    t.is(crd.metadata.name, `${crd.spec.names.plural}.netobs.io`);
    t.is(crd.spec.versions.filter((x) => x.storage).length, 1);
    t.true(v.additionalPrinterColumns!.some((c) => c.name === 'Age'));
  });
}

test('scopes and short names', (t) => {
  t.is(networkPolicyCrd().spec.scope, 'Namespaced');
  t.deepEqual(networkPolicyCrd().spec.names.shortNames, ['netobsnp']);
  t.is(clusterwideNetworkPolicyCrd().spec.scope, 'Cluster');
  t.is(identityCrd().spec.scope, 'Cluster');
  t.is(nodeCrd().spec.scope, 'Cluster');
  t.truthy(networkPolicyCrd().spec.versions[0]!.subresources?.status);
});

for (const name of ['allow-frontend', 'l7-http-policy', 'database-access-policy']) {
  test(`seed policy ${name} is valid`, (t) => {
    t.deepEqual(messages(byName(name)), []);
  });
}

test('seed policy with rules: icmp in an ingress rule is refused', (t) => {
  t.deepEqual(messages(byName('allow-icmp-communication')), ['unknown field "spec.ingress[0].rules"']);
});

test('seed policy with terminatingTLS is refused', (t) => {
  t.deepEqual(messages(byName('service-mesh-policy')), ['unknown field "spec.ingress[0].toPorts[0].terminatingTLS"']);
});

test('defaults are applied: protocol ANY, ICMP family IPv4', (t) => {
  const r = validateCustomResource(networkPolicyCrd(), {
    apiVersion: 'netobs.io/v1alpha1',
    kind: 'NetworkPolicy',
    metadata: { name: 'x', namespace: 'y', labels: { a: 'b' } },
    spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 53 }] }], icmps: [{ fields: [{ type: 8 }] }] }] },
  });
  t.deepEqual(r.errors, []);
  const spec = r.object.spec as { ingress: [{ toPorts: [{ ports: [{ protocol: string }] }]; icmps: [{ fields: [{ family: string }] }] }] };
  t.is(spec.ingress[0].toPorts[0].ports[0].protocol, 'ANY');
  t.is(spec.ingress[0].icmps[0].fields[0].family, 'IPv4');
});

const policy = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'netobs.io/v1alpha1',
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'n' },
  spec,
  ...extra,
});

const refuses = test.macro({
  exec(t, obj: Record<string, unknown>, expected: string[]) {
    t.deepEqual(messages(obj), expected);
  },
  title: (title) => `refuses ${title}`,
});

test('a bad protocol', refuses, policy({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'HTTP' }] }] }] }), [
  'spec.egress[0].toPorts[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "TCP", "UDP", "SCTP", "ANY"',
]);
test('a port out of range', refuses, policy({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: 70000 }] }] }] }), [
  'spec.egress[0].toPorts[0].ports[0].port: Invalid value: 70000: spec.egress[0].toPorts[0].ports[0].port in body should be less than or equal to 65535',
]);
test('a port name that is not a name', refuses, policy({ endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: 'http!' }] }] }] }), [
  `spec.egress[0].toPorts[0].ports[0].port: Invalid value: "http!": spec.egress[0].toPorts[0].ports[0].port in body should match '${'^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})$|^([a-z0-9]-?)*[a-z](-?[a-z0-9])*$'}'`,
]);
test('a bad CIDR', refuses, policy({ endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.0/33'] }] }), [
  'spec.egress[0].toCIDR[0]: Invalid value: "10.0.0.0/33": spec.egress[0].toCIDR[0] in body must be of type cidr: "10.0.0.0/33"',
]);
test('an unknown entity', refuses, policy({ endpointSelector: {}, egress: [{ toEntities: ['internet'] }] }), [
  'spec.egress[0].toEntities[0]: Unsupported value: "internet": supported values: "all", "world", "cluster", "host", "remote-node", "kube-apiserver", "none", "health", "init", "unmanaged", "ingress", "world-ipv4", "world-ipv6", "cluster-mesh"',
]);
test('L7 rules in a deny rule', refuses, policy({ endpointSelector: {}, ingressDeny: [{ toPorts: [{ rules: { http: [{}] } }] }] }), [
  'unknown field "spec.ingressDeny[0].toPorts[0].rules"',
]);
test('a rule without a selector', refuses, policy({ ingress: [{}] }), [
  'spec: Invalid value: "object": spec in body must validate one and only one schema (oneOf)',
]);
test('a policy without spec or specs', refuses, policy(undefined), ['<root>: Invalid value: "object": <root> in body must validate at least one schema (anyOf)']);
test('a selector with a bad operator', refuses, policy({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Has' }] } }), [
  'spec.endpointSelector.matchExpressions[0].operator: Unsupported value: "Has": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
]);
test('a list where an object belongs', refuses, policy({ endpointSelector: [] }), [
  'spec.endpointSelector: Invalid value: "array": spec.endpointSelector in body must be of type object: "array"',
]);
test('toFQDNs with both names', refuses, policy({ endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'a.com', matchPattern: '*.a.com' }] }] }), [
  'spec.egress[0].toFQDNs[0]: Invalid value: "object": spec.egress[0].toFQDNs[0] in body must validate one and only one schema (oneOf)',
]);

test('specs holds several rules, each checked', (t) => {
  t.deepEqual(messages(policy(undefined, { specs: [{ endpointSelector: {} }, { endpointSelector: {}, egress: [{ toCIDRSet: [{ except: [] }] }] }] })), [
    'specs[1].egress[0].toCIDRSet[0].cidr: Required value',
  ]);
});

test('wrong group, kind or version', (t) => {
  const m = messages({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: {} });
  t.is(m.length, 3);
  t.regex(m[0]!, /^apiVersion: Invalid value: "cilium.io\/v2": must be netobs.io\/<version>$/);
  t.regex(m[2]!, /supported values: "netobs.io\/v1alpha1"/);
});

test('identities: labels required, name numeric', (t) => {
  const ok = { apiVersion: 'netobs.io/v1alpha1', kind: 'NetobsIdentity', metadata: { name: '256' }, securityLabels: { 'k8s:app': 'web' } };
  t.deepEqual(messages(ok, identityCrd()), []);
  t.deepEqual(messages({ ...ok, metadata: { name: 'web' }, securityLabels: undefined }, identityCrd()), [
    'securityLabels: Required value',
    `metadata.name: Invalid value: "web": metadata.name in body should match '^[1-9][0-9]{2,9}$'`,
  ]);
});

test('node status with conditions validates', (t) => {
  const n = {
    apiVersion: 'netobs.io/v1alpha1',
    kind: 'NetobsNode',
    metadata: { name: 'node-1' },
    status: {
      agentVersion: '0.1.0',
      kernelVersion: '6.1.0',
      datapath: { attached: true, programs: 12, features: { ringbuf: true } },
      endpoints: 6,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'AgentHealthy', message: '' }],
    },
  };
  t.deepEqual(messages(n, nodeCrd()), []);
  n.status.conditions[0]!.status = 'Yes';
  t.deepEqual(messages(n, nodeCrd()), ['status.conditions[0].status: Unsupported value: "Yes": supported values: "True", "False", "Unknown"']);
});
