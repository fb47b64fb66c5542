import test from 'ava';
import { formatSelector } from '../../../agent/policy/selector.ts';
import type { L4Rule, ParsedPolicy, Peer } from '../../../agent/policy/types.ts';
import { ALLOW_FRONTEND, ALLOW_FRONTEND_K8S, yamlPolicy } from './helpers.ts';

const rule0 = (p: ParsedPolicy) => {
  const r = p.rules[0];
  if (!r) throw new Error('no rule');
  return r;
};
const peerText = (p: Peer) => (p.kind === 'endpoints' || p.kind === 'nodes' ? `${p.kind}(${formatSelector(p.selector)})` : JSON.stringify(p));

test('the seed allow-frontend policy', (t) => {
  const p = yamlPolicy(ALLOW_FRONTEND);
  t.deepEqual(p.ref, { kind: 'NetobsNetworkPolicy', namespace: 'network-policy-test', name: 'allow-frontend' });
  const r = rule0(p);
  t.is(formatSelector(r.subject), 'any:role=frontend, k8s:io.kubernetes.pod.namespace=network-policy-test');
  t.deepEqual(r.enforce, { ingress: true, egress: false });
  const ing = r.allow.ingress[0];
  if (!ing || ing.peers === 'any') return t.fail('expected peers');
  t.deepEqual(ing.peers.map(peerText), ['endpoints(any:role=backend, k8s:io.kubernetes.pod.namespace=network-policy-test)']);
  t.deepEqual(ing.l4, [{ kind: 'port', protocol: 'TCP', port: 80 }]);
});

test('its Kubernetes NetworkPolicy equivalent', (t) => {
  const p = yamlPolicy(ALLOW_FRONTEND_K8S);
  t.deepEqual(p.ref, { kind: 'NetworkPolicy', namespace: 'network-policy-test', name: 'allow-frontend' });
  const r = rule0(p);
  t.is(formatSelector(r.subject), 'k8s:io.kubernetes.pod.namespace=network-policy-test, k8s:role=frontend');
  t.deepEqual(r.enforce, { ingress: true, egress: false });
  const ing = r.allow.ingress[0];
  if (!ing || ing.peers === 'any') return t.fail('expected peers');
  t.deepEqual(ing.peers.map(peerText), ['endpoints(k8s:io.kubernetes.pod.namespace=network-policy-test, k8s:role=backend)']);
  t.deepEqual(ing.l4, [{ kind: 'port', protocol: 'TCP', port: 80 }]);
});

const k8sEnforce = test.macro({
  exec(t, spec: string, want: { ingress: boolean; egress: boolean }) {
    const p = yamlPolicy(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n${spec}`);
    t.deepEqual(rule0(p).enforce, want);
    t.is(p.ref.namespace, 'default');
  },
  title: (given) => `NetworkPolicy policyTypes: ${given ?? ''}`,
});

test('default is Ingress only', k8sEnforce, '  podSelector: {}', { ingress: true, egress: false });
test('default adds Egress when egress rules exist', k8sEnforce, '  podSelector: {}\n  egress: [{}]', { ingress: true, egress: true });
test('an empty egress list does not add Egress', k8sEnforce, '  podSelector: {}\n  egress: []', { ingress: true, egress: false });
test('explicit Egress only', k8sEnforce, '  podSelector: {}\n  policyTypes: [Egress]', { ingress: false, egress: true });

const crdEnforce = test.macro({
  exec(t, spec: string, want: { ingress: boolean; egress: boolean }) {
    const p = yamlPolicy(`apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  endpointSelector: {}\n${spec}`);
    t.deepEqual(rule0(p).enforce, want);
  },
  title: (given) => `netobs enforcement: ${given ?? ''}`,
});

test('no sections', crdEnforce, '', { ingress: false, egress: false });
test('ingress: [{}] is default deny', crdEnforce, '  ingress: [{}]', { ingress: true, egress: false });
test('egressDeny alone enforces egress', crdEnforce, '  egressDeny: [{toEntities: [world]}]', { ingress: false, egress: true });
test('enableDefaultDeny false turns it off', crdEnforce, '  ingress: [{fromEntities: [world]}]\n  egress: [{}]\n  enableDefaultDeny: {ingress: false}', { ingress: false, egress: true });

test('ingress: [{}] admits nothing', (t) => {
  const p = yamlPolicy('apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}, ingress: [{}]}');
  t.deepEqual(rule0(p).allow.ingress, []);
});

test('toPorts without peers admits every peer; peers without ports every port', (t) => {
  const p = yamlPolicy(`apiVersion: netobs.io/v1alpha1
kind: ClusterwideNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector: {}
  egress:
  - toPorts: [{ports: [{port: "53", protocol: UDP}]}]
  - toEntities: [world, none]
`);
  t.is(p.ref.namespace, '');
  t.deepEqual(rule0(p).allow.egress, [
    { peers: 'any', l4: [{ kind: 'port', protocol: 'UDP', port: 53 }] },
    { peers: [{ kind: 'entity', entity: 'world' }], l4: 'any' },
  ]);
});

const l4 = test.macro({
  exec(t, item: string, want: L4Rule[]) {
    const p = yamlPolicy(`apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {}\n  ingress:\n  - ${item}`);
    t.deepEqual(rule0(p).allow.ingress[0]?.l4, want);
  },
  title: (given, item: string) => given ?? `L4 of ${item}`,
});

test(l4, 'toPorts: [{ports: [{port: "8080"}]}]', [{ kind: 'port', protocol: 'ANY', port: 8080 }]);
test(l4, 'toPorts: [{ports: [{port: "http", protocol: TCP}]}]', [{ kind: 'port', protocol: 'TCP', port: 'http' }]);
test(l4, 'toPorts: [{ports: [{port: "8000", endPort: 8010, protocol: TCP}]}]', [{ kind: 'port', protocol: 'TCP', port: 8000, endPort: 8010 }]);
test(l4, 'toPorts: [{ports: [{port: "0", protocol: UDP}]}]', [{ kind: 'port', protocol: 'UDP', port: 0 }]);
test(l4, 'icmps: [{fields: [{type: 8}, {family: IPv6, type: EchoRequest}, {type: EchoReply}]}]', [
  { kind: 'icmp', family: 4, type: 8 },
  { kind: 'icmp', family: 6, type: 128 },
  { kind: 'icmp', family: 4, type: 0 },
]);

test('peers of every kind', (t) => {
  const p = yamlPolicy(`apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, k8s-app: kube-dns}}]
    toCIDR: [1.1.1.1, "10.0.0.0/8"]
    toCIDRSet: [{cidr: 192.168.0.0/16, except: [192.168.1.0/24]}]
    toEntities: [kube-apiserver]
    toNodes: [{matchLabels: {role: infra}}]
    toServices: [{k8sService: {serviceName: db}}, {k8sServiceSelector: {selector: {matchLabels: {tier: cache}}, namespace: infra}}]
`);
  const peers = rule0(p).allow.egress[0]?.peers;
  if (!peers || peers === 'any') return t.fail('expected peers');
  t.deepEqual(peers.map(peerText), [
    'endpoints(any:k8s-app=kube-dns, k8s:io.kubernetes.pod.namespace=kube-system)',
    '{"kind":"cidr","cidr":"1.1.1.1/32","except":[]}',
    '{"kind":"cidr","cidr":"10.0.0.0/8","except":[]}',
    '{"kind":"cidr","cidr":"192.168.0.0/16","except":["192.168.1.0/24"]}',
    '{"kind":"entity","entity":"kube-apiserver"}',
    'endpoints(any:role=infra)'.replace('endpoints', 'nodes'),
    '{"kind":"service","namespace":"shop","name":"db"}',
    JSON.stringify({ kind: 'service-selector', namespace: 'infra', selector: { requirements: [{ source: 'k8s', key: 'tier', operator: 'In', values: ['cache'] }] } }),
  ]);
});

test('specs holds several rules; deny sections are separate', (t) => {
  const p = yamlPolicy(`apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: p}
specs:
- endpointSelector: {matchLabels: {a: "1"}}
  ingressDeny: [{fromCIDR: [10.0.0.0/8]}]
- endpointSelector: {matchLabels: {b: "1"}}
  egress: [{toEntities: [all]}]
`);
  t.is(p.rules.length, 2);
  t.deepEqual(p.rules[0]?.deny.ingress, [{ peers: [{ kind: 'cidr', cidr: '10.0.0.0/8', except: [] }], l4: 'any' }]);
  t.deepEqual(p.rules[1]?.allow.egress, [{ peers: [{ kind: 'entity', entity: 'all' }], l4: 'any' }]);
});

test('NetworkPolicy: ipBlock, namespaceSelector, ports with endPort and named ports, empty rule', (t) => {
  const p = yamlPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {matchLabels: {role: db}}
    ports:
    - {protocol: TCP, port: 32000, endPort: 32010}
    - {port: metrics}
    - {protocol: UDP}
  egress:
  - {}
`);
  const r = rule0(p);
  const ing = r.allow.ingress[0];
  if (!ing || ing.peers === 'any') return t.fail('expected peers');
  t.deepEqual(ing.peers.map(peerText), [
    '{"kind":"cidr","cidr":"172.17.0.0/16","except":["172.17.1.0/24"],"pods":true}',
    'endpoints(k8s:io.kubernetes.pod.namespace, k8s:io.netobs.k8s.namespace.labels.team=a, k8s:role=db)',
  ]);
  t.deepEqual(ing.l4, [
    { kind: 'port', protocol: 'TCP', port: 32000, endPort: 32010 },
    { kind: 'port', protocol: 'TCP', port: 'metrics' },
    { kind: 'port', protocol: 'UDP', port: 0 },
  ]);
  t.deepEqual(r.allow.egress, [{ peers: 'any', l4: 'any' }]);
});
