import test from 'ava';
import type { CompileInput } from '../../../agent/policy/compile.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { compilePolicies, PolicyCompiler } from '../../../agent/policy/compile.ts';
import { ALLOW_FRONTEND, ALLOW_FRONTEND_K8S, yamlPolicy } from './helpers.ts';
import { ccnp, cluster, compileYaml, crd, knp, lines, remotes, type Pod } from './cluster.ts';

// Seed cluster: namespace network-policy-test with frontend (local), backend and test-pod.
const NPT = 'network-policy-test';
const SEED: Pod[] = [
  { identity: 1001, ns: NPT, labels: { role: 'frontend', 'pod-template-hash': 'abc' }, endpoint: 101, namedPorts: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  { identity: 1002, ns: NPT, labels: { role: 'backend' }, endpoint: 102 },
  { identity: 1003, ns: NPT, labels: { run: 'test-pod' } },
  { identity: 1004, ns: 'other', labels: { role: 'backend' } },
];

// Star Wars demo: default namespace, deathstar local, xwing and tiefighter remote, plus kube-dns.
const SW: Pod[] = [
  { identity: 16081, ns: 'default', labels: { org: 'empire', class: 'deathstar' }, endpoint: 1, namedPorts: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  { identity: 16092, ns: 'default', labels: { org: 'alliance', class: 'xwing' }, endpoint: 2 },
  { identity: 16093, ns: 'default', labels: { org: 'empire', class: 'tiefighter' } },
  { identity: 453, ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, nsLabels: { team: 'platform' }, namedPorts: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
  { identity: 454, ns: 'monitoring', labels: { app: 'prometheus' }, nsLabels: { team: 'platform' }, namedPorts: [{ name: 'dns', port: 5353, protocol: 'UDP' }] },
];

const compiles = test.macro({
  exec(t, policies: string[], pods: Pod[], endpointId: number, want: string[], extra: Partial<CompileInput> = {}) {
    t.deepEqual(lines(compileYaml(policies, pods, extra), endpointId), want);
  },
  title: (given) => given ?? '',
});

test('seed allow-frontend: backend may reach frontend on TCP 80, nothing else', compiles, [ALLOW_FRONTEND], SEED, 101, [
  '101 ingress 1 any allow []',
  '101 ingress 1002 tcp/80 allow [network-policy-test/allow-frontend]',
]);

test('the Kubernetes NetworkPolicy equivalent compiles to the same entries', compiles, [ALLOW_FRONTEND_K8S], SEED, 101, [
  '101 ingress 1 any allow []',
  '101 ingress 1002 tcp/80 allow [network-policy-test/allow-frontend]',
]);

test('allow-frontend: the frontend is enforced on ingress only, the backend not at all', (t) => {
  const r = compileYaml([ALLOW_FRONTEND], SEED);
  t.deepEqual(r.enforcement, [
    { endpointId: 101, ingress: true, egress: false },
    { endpointId: 102, ingress: false, egress: false },
  ]);
  t.deepEqual(lines(r, 102), []);
  const e = r.entries.find((x) => x.remoteIdentity === 1002);
  t.deepEqual(e?.policies, [{ kind: 'NetobsNetworkPolicy', namespace: NPT, name: 'allow-frontend' }]);
});

test('Star Wars: only empire ships may land on the deathstar', compiles, [
  crd('rule1', '  endpointSelector: {matchLabels: {org: empire, class: deathstar}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {org: empire}}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]'),
], SW, 1, [
  '1 ingress 1 any allow []',
  '1 ingress 16081 tcp/80 allow [default/rule1]',
  '1 ingress 16093 tcp/80 allow [default/rule1]',
]);

test('two policies allowing the same key are both named', compiles, [
  crd('a', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: tiefighter}}]}]'),
  knp('b', '  podSelector: {matchLabels: {class: deathstar}}\n  ingress: [{from: [{podSelector: {matchLabels: {class: tiefighter}}}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 16093 any allow [default/a,default/b]']);

test('deny wins: a denied identity is denied even where all are allowed', compiles, [
  crd('allow-all', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEntities: [all]}]'),
  crd('deny-xwing', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {class: xwing}}]}]'),
], SW, 1, ['1 ingress 0 any allow [default/allow-all]', '1 ingress 1 any allow []', '1 ingress 16092 any deny [default/deny-xwing]']);

test('deny wins: a deny covering an allow of the same identity turns it into a deny', compiles, [
  crd('allow', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: xwing}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]'),
  crd('deny', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {class: xwing}}], toPorts: [{ports: [{port: "0", protocol: TCP}]}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 16092 tcp/any deny [default/deny]', '1 ingress 16092 tcp/80 deny [default/deny]']);

// The datapath looks up this identity and any identity separately and a deny from either wins,
// so a deny of every identity is not copied onto the identities that have allows.
test('deny wins: a deny of any identity needs no copy on allowed identities', compiles, [
  crd('allow', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: xwing}}]}]'),
  crd('deny', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]'),
], SW, 1, ['1 ingress 0 tcp/80 deny [default/deny]', '1 ingress 1 any allow []', '1 ingress 16092 any allow [default/allow]']);

test('deny rules apply to endpoints without default deny', (t) => {
  const r = compileYaml([
    crd('deny', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {class: xwing}}]}]\n  enableDefaultDeny: {ingress: false}'),
  ], SW);
  t.deepEqual(lines(r, 1), ['1 ingress 16092 any deny [default/deny]']);
  t.deepEqual(r.enforcement.find((e) => e.endpointId === 1), { endpointId: 1, ingress: false, egress: false });
});

test('enableDefaultDeny false: allow rules do not enforce, so they write nothing', (t) => {
  const spec = '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: xwing}}]}]\n  egress: [{toEntities: [world]}]\n  enableDefaultDeny: {ingress: false, egress: false}';
  const r = compileYaml([crd('open', spec)], SW);
  t.deepEqual(lines(r, 1), []);
  t.deepEqual(r.enforcement.find((e) => e.endpointId === 1), { endpointId: 1, ingress: false, egress: false });
  // Another policy selecting the same endpoint turns enforcement on, and the allows count again.
  const both = compileYaml([crd('open', spec), crd('strict', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{}]')], SW);
  t.deepEqual(lines(both, 1), ['1 ingress 1 any allow []', '1 ingress 16092 any allow [default/open]']);
});

test('except carving: excepted prefixes get their own identity and are not allowed', (t) => {
  const r = compileYaml([
    crd('cidr', '  endpointSelector: {matchLabels: {class: deathstar}}\n  egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.96.0.0/12]}]}]'),
    crd('other', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toCIDR: [10.200.0.0/16, 10.96.1.0/24]}]'),
  ], SW);
  t.deepEqual(r.ipcache.map((c) => c.prefix), ['10.0.0.0/8', '10.96.0.0/12', '10.96.1.0/24', '10.200.0.0/16']);
  t.true(r.ipcache.every((c) => c.identity >= 16777216));
  // The /8 rule matches the /8 and the /16 inside it, not the except nor what lies inside it.
  t.deepEqual(lines(r, 1).sort(), ['1 egress cidr:10.0.0.0/8 any allow [default/cidr]', '1 egress cidr:10.200.0.0/16 any allow [default/cidr]']);
  t.deepEqual(lines(r, 2).sort(), ['2 egress cidr:10.200.0.0/16 any allow [default/other]', '2 egress cidr:10.96.1.0/24 any allow [default/other]']);
});

test('NetworkPolicy ipBlock with except, egress only', (t) => {
  const r = compileYaml([knp('egress', '  podSelector: {matchLabels: {class: xwing}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}], ports: [{port: 443}]}]')], SW);
  t.deepEqual(r.ipcache.map((c) => c.prefix), ['169.254.169.254/32']);
  t.deepEqual(lines(r, 2), ['2 egress 2 tcp/443 allow [default/egress]']);
  t.deepEqual(r.enforcement.find((e) => e.endpointId === 2), { endpointId: 2, ingress: false, egress: true });
});

test('endPort ranges become the aligned port blocks that tile them', compiles, [
  knp('range', '  podSelector: {matchLabels: {class: deathstar}}\n  ingress: [{ports: [{port: 8000, endPort: 8002, protocol: UDP}]}]'),
], SW, 1, ['1 ingress 0 udp/8000-8001 allow [default/range]', '1 ingress 0 udp/8002 allow [default/range]', '1 ingress 1 any allow []']);

test('a Kubernetes endPort range of any width is enforced, in at most 2x16 entries', compiles, [
  knp('wide', '  podSelector: {matchLabels: {class: deathstar}}\n  ingress: [{ports: [{port: 1, endPort: 65535, protocol: TCP}]}]'),
], SW, 1, [
  ...['1', '2-3', '4-7', '8-15', '16-31', '32-63', '64-127', '128-255', '256-511', '512-1023', '1024-2047', '2048-4095', '4096-8191', '8192-16383', '16384-32767', '32768-65535'].map((p) => `1 ingress 0 tcp/${p} allow [default/wide]`),
  '1 ingress 1 any allow []',
]);

test('a deny range inside an allow range: the deny blocks are their own (longer) keys', compiles, [
  crd('allow', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{toPorts: [{ports: [{port: "1024", endPort: 2047, protocol: TCP}]}]}]'),
  crd('deny', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{toPorts: [{ports: [{port: "1100", endPort: 1103, protocol: TCP}]}]}]'),
], SW, 1, ['1 ingress 0 tcp/1024-2047 allow [default/allow]', '1 ingress 0 tcp/1100-1103 deny [default/deny]', '1 ingress 1 any allow []']);

test('protocol ANY with a port means TCP, UDP and SCTP', compiles, [
  crd('any', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{toPorts: [{ports: [{port: "53"}]}]}]'),
], SW, 1, ['1 ingress 0 tcp/53 allow [default/any]', '1 ingress 0 udp/53 allow [default/any]', '1 ingress 0 sctp/53 allow [default/any]', '1 ingress 1 any allow []']);

test('named ports on ingress resolve against the selected pod', compiles, [
  knp('named', '  podSelector: {matchLabels: {class: deathstar}}\n  ingress: [{from: [{podSelector: {matchLabels: {class: xwing}}}], ports: [{port: http}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 16092 tcp/80 allow [default/named]']);

test('named ports on egress resolve against each destination identity', compiles, [
  crd('dns', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system}}, {matchLabels: {"k8s:io.kubernetes.pod.namespace": monitoring}}], toPorts: [{ports: [{port: dns}]}]}]'),
], SW, 2, ['2 egress 453 udp/53 allow [default/dns]', '2 egress 454 udp/5353 allow [default/dns]']);

test('a named port with the wrong protocol resolves to nothing', compiles, [
  knp('named', '  podSelector: {matchLabels: {class: deathstar}}\n  ingress: [{ports: [{port: http, protocol: UDP}]}]'),
], SW, 1, ['1 ingress 1 any allow []']);

test('ICMP types travel in the port field, type 0 (echo reply) as its own exact key', compiles, [
  crd('icmp', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: xwing}}], icmps: [{fields: [{type: 8}, {type: EchoReply}, {family: IPv6, type: EchoRequest}]}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 16092 icmp/type0 allow [default/icmp]', '1 ingress 16092 icmp/type8 allow [default/icmp]', '1 ingress 16092 icmpv6/type128 allow [default/icmp]']);

test('ICMP entries carry the type as an exact port', (t) => {
  const r = compileYaml([crd('icmp', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress: [{icmps: [{fields: [{type: 8}]}]}]')], SW);
  t.like(r.entries[0], { protocol: 1, port: 8, portBits: 16, remoteIdentity: 0 });
});

const entity = (name: string) => crd(`to-${name}`, `  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toEntities: [${name}]}]`);
const entityIds = test.macro({
  exec(t, name: string, want: (number | string)[]) {
    const r = compileYaml([entity(name), crd('cidr', '  endpointSelector: {matchLabels: {class: tiefighter}}\n  egress: [{toCIDR: [1.1.1.1]}]')], SW);
    t.deepEqual(remotes(r, 2), want);
  },
  title: (_given, name: string) => `entity ${name}`,
});

test(entityIds, 'all', [0]);
test(entityIds, 'world', [2, 'cidr:1.1.1.1/32']);
test(entityIds, 'host', [1]);
test(entityIds, 'remote-node', [6]);
test(entityIds, 'kube-apiserver', [7]);
test(entityIds, 'cluster', [1, 3, 4, 5, 6, 7, 8, 453, 454, 16081, 16092, 16093]);
test(entityIds, 'none', []);

// The API server where the `kubernetes` EndpointSlices say it is: on a remote node, on this node, outside.
const apiserverAt = (ip: string): Partial<CompileInput> => ({
  nodes: [{ name: 'here', labels: {}, local: true, addresses: ['192.0.2.1'] }, { name: 'cp', labels: { role: 'cp' }, local: false, addresses: ['192.0.2.9'] }, { name: 'w', labels: {}, local: false, addresses: ['192.0.2.5'] }],
  services: {
    get: (ns, name) => (ns === 'default' && name === 'kubernetes' ? { namespace: ns, name, labels: {}, endpointIPs: [ip] } : undefined),
    list: () => [],
  },
});
const apiserverEntity = test.macro({
  exec(t, ip: string, policy: string, want: (number | string)[]) {
    t.deepEqual(remotes(compileYaml([crd('p', `  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [${policy}]`)], SW, apiserverAt(ip)), 2), want);
  },
  title: (_given, ip: string, policy: string) => `kube-apiserver at ${ip}: ${policy}`,
});
test(apiserverEntity, '192.0.2.9', '{toEntities: [kube-apiserver]}', [7]);
test(apiserverEntity, '192.0.2.9', '{toEntities: [remote-node]}', [6, 7]);
test(apiserverEntity, '192.0.2.9', '{toNodes: [{matchLabels: {role: cp}}]}', [6, 7]);
test(apiserverEntity, '192.0.2.9', '{toEntities: [world]}', [2]);
test(apiserverEntity, '192.0.2.1', '{toEntities: [kube-apiserver]}', [1, 7]);
test(apiserverEntity, '192.0.2.1', '{toEntities: [remote-node]}', [6]);
test(apiserverEntity, '203.0.113.7', '{toEntities: [kube-apiserver]}', [7]);
test(apiserverEntity, '203.0.113.7', '{toEntities: [world]}', [2, 7]);
test(apiserverEntity, '203.0.113.7', '{toEntities: [remote-node]}', [6]);
test(apiserverEntity, '203.0.113.7', '{toCIDR: [203.0.113.0/24]}', [7, 'cidr:203.0.113.0/24']);
test(apiserverEntity, '203.0.113.7', '{toCIDRSet: [{cidr: 203.0.113.0/24, except: [203.0.113.0/29]}]}', ['cidr:203.0.113.0/24']);

test('cross-namespace: a netobs peer naming the namespace key leaves its own namespace', compiles, [
  crd('from-other', '  endpointSelector: {matchLabels: {role: frontend}}\n  ingress: [{fromEndpoints: [{matchLabels: {role: backend, "k8s:io.kubernetes.pod.namespace": other}}]}]', NPT),
], SEED, 101, ['101 ingress 1 any allow []', '101 ingress 1004 any allow [network-policy-test/from-other]']);

test('cross-namespace: without it, a peer stays in the policy namespace', compiles, [
  crd('same', '  endpointSelector: {matchLabels: {role: frontend}}\n  ingress: [{fromEndpoints: [{matchLabels: {role: backend}}]}]', NPT),
], SEED, 101, ['101 ingress 1 any allow []', '101 ingress 1002 any allow [network-policy-test/same]']);

test('cross-namespace: NetworkPolicy namespaceSelector on namespace labels', compiles, [
  knp('platform', '  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: platform}}}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 453 any allow [default/platform]', '1 ingress 454 any allow [default/platform]']);

test('cross-namespace: netobs peer on Cilium-style namespace labels', compiles, [
  crd('platform', '  endpointSelector: {}\n  ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.cilium.k8s.namespace.labels.team": platform}, matchExpressions: [{key: "k8s:io.kubernetes.pod.namespace", operator: Exists}]}]}]'),
], SW, 1, ['1 ingress 1 any allow []', '1 ingress 453 any allow [default/platform]', '1 ingress 454 any allow [default/platform]']);

test('clusterwide: {} selects endpoints in every namespace and peers {} every pod', (t) => {
  const pods: Pod[] = [...SW, { identity: 2000, ns: 'shop', labels: { app: 'web' }, endpoint: 7 }];
  const r = compileYaml([ccnp('all-pods', '  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]')], pods);
  t.deepEqual(r.enforcement.map((e) => [e.endpointId, e.ingress]), [[1, true], [2, true], [7, true]]);
  t.deepEqual(r.entries.filter((e) => e.endpointId === 7).map((e) => e.remoteIdentity), [1, 453, 454, 2000, 16081, 16092, 16093]);
  t.deepEqual(r.entries.find((e) => e.endpointId === 7 && e.remoteIdentity === 453)?.policies, [{ kind: 'NetobsClusterwideNetworkPolicy', namespace: '', name: 'all-pods' }]);
});

test('a namespaced policy does not select endpoints of other namespaces', (t) => {
  const r = compileYaml([crd('x', '  endpointSelector: {}\n  ingress: [{}]', 'kube-system')], SW);
  t.true(r.enforcement.every((e) => !e.ingress));
  t.deepEqual(r.entries, []);
});

test('NetworkPolicy egress deny-all: enforced with no entries', (t) => {
  const r = compileYaml([knp('deny-egress', '  podSelector: {}\n  policyTypes: [Egress]')], SW);
  t.deepEqual(lines(r, 2), []);
  t.deepEqual(r.enforcement.find((e) => e.endpointId === 2), { endpointId: 2, ingress: false, egress: true });
});

test('toServices: a selector service reaches its pods, a selector-less one its addresses', (t) => {
  const all = [
    { namespace: 'default', name: 'deathstar', labels: { tier: 'api' }, selector: { class: 'deathstar' }, endpointIPs: ['10.0.1.5'] },
    { namespace: 'default', name: 'legacy-db', labels: { tier: 'db' }, endpointIPs: ['192.168.7.10', '192.168.7.11'] },
  ];
  const services: CompileInput['services'] = {
    get: (ns, name) => all.find((s) => s.namespace === ns && s.name === name),
    list: () => all,
  };
  const r = compileYaml([
    crd('svc', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toServices: [{k8sService: {serviceName: deathstar}}, {k8sServiceSelector: {selector: {matchLabels: {tier: db}}}}]}]'),
  ], SW, { services });
  t.deepEqual(r.ipcache.map((c) => c.prefix), ['192.168.7.10/32', '192.168.7.11/32']);
  t.deepEqual(lines(r, 2).sort(), ['2 egress 16081 any allow [default/svc]', '2 egress cidr:192.168.7.10/32 any allow [default/svc]', '2 egress cidr:192.168.7.11/32 any allow [default/svc]']);
});

test('toNodes / fromNodes: the local node is host, the others remote-node', (t) => {
  const nodes = [{ name: 'n1', labels: { role: 'infra' }, local: true }, { name: 'n2', labels: { role: 'infra' }, local: false }, { name: 'n3', labels: { role: 'worker' }, local: false }];
  const infra = compileYaml([crd('n', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toNodes: [{matchLabels: {role: infra}}]}]')], SW, { nodes });
  t.deepEqual(infra.entries.map((e) => e.remoteIdentity), [1, 6]);
  const worker = compileYaml([crd('n', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toNodes: [{matchLabels: {role: worker}}]}]')], SW, { nodes });
  t.deepEqual(worker.entries.map((e) => e.remoteIdentity), [6]);
});

test('L7 rules that match everything allow at L4 and are recorded for visibility', (t) => {
  const r = compileYaml([
    crd('l7', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {org: empire}}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{}]}}]'),
    crd('dns', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]'),
  ], SW);
  t.deepEqual(lines(r, 1), ['1 ingress 1 any allow []', '1 ingress 16081 tcp/80 allow [default/l7]', '1 ingress 16093 tcp/80 allow [default/l7]']);
  t.deepEqual(r.visibility, [
    { endpointId: 1, direction: 'ingress', protocol: 6, port: 80, parser: 'http', policies: [{ kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'l7' }] },
    { endpointId: 2, direction: 'egress', protocol: 17, port: 53, parser: 'dns', policies: [{ kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'dns' }] },
  ]);
});

test('the implicit host allow can be turned off', (t) => {
  const base = { policies: [yamlPolicy(ALLOW_FRONTEND)], cidrIdentities: new CidrIdentities(), ...cluster(SEED) };
  t.true(compilePolicies(base).entries.some((e) => e.remoteIdentity === 1));
  t.false(compilePolicies(base, { allowHostIngress: false }).entries.some((e) => e.remoteIdentity === 1));
});

test('HTTP rules on ingress make proxy entries, and the decision the proxy applies follows the datapath lookup', (t) => {
  const l7 = crd('l7', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {org: empire}}]\n    toPorts: [{ports: [{port: "80", protocol: ANY}], rules: {http: [{method: POST, path: /v1/request-landing}]}}]');
  const r = compileYaml([l7], SW);
  // ANY with HTTP rules is TCP only: UDP/SCTP 80 would otherwise be a plain allow.
  t.deepEqual(lines(r, 1), ['1 ingress 1 any allow []', '1 ingress 16081 tcp/80 proxy [default/l7]', '1 ingress 16093 tcp/80 proxy [default/l7]']);
  const c = new PolicyCompiler({ cidrIdentities: new CidrIdentities(), ...cluster(SW) });
  c.load([yamlPolicy(l7)]);
  const ref = { kind: 'NetobsNetworkPolicy' as const, namespace: 'default', name: 'l7' };
  t.deepEqual(c.l7Decision(1, 'ingress', 16093, 80), { kind: 'http', rules: [{ policy: ref, rules: [{ method: 'POST', path: '/v1/request-landing' }] }] });
  t.deepEqual(c.l7Decision(1, 'ingress', 16094, 80), { kind: 'denied', policies: [] });
  t.deepEqual(c.l7Decision(1, 'ingress', 1, 80), { kind: 'all', policies: [] });
  // A plain allow of the same port and peer from another policy allows every request: no proxy.
  const plain = crd('plain', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingress:\n  - fromEndpoints: [{matchLabels: {class: tiefighter}}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]');
  t.deepEqual(lines(compileYaml([l7, plain], SW), 1), ['1 ingress 1 any allow []', '1 ingress 16081 tcp/80 proxy [default/l7]', '1 ingress 16093 tcp/80 allow [default/l7,default/plain]']);
});

test('egress DNS rules make proxy entries (UDP and TCP for ANY); toFQDNs peers are the learnt addresses', (t) => {
  const fqdn = crd('fqdn', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress:\n  - toEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}}]\n    toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.world.lab"}]}}]\n  - toFQDNs: [{matchName: api.world.lab}]\n    toPorts: [{ports: [{port: "80", protocol: TCP}]}]');
  const learnt: Record<string, string[]> = { 'api.world.lab': ['198.18.0.11'], 'www.world.lab': ['198.18.0.10'] };
  const view = { ips: (sels: readonly { matchName?: string }[]) => sels.flatMap((s) => learnt[s.matchName ?? ''] ?? []) };
  const r = compileYaml([fqdn], SW, { fqdn: view });
  t.deepEqual(r.ipcache.map((c) => c.prefix), ['198.18.0.11/32']);
  t.deepEqual([...lines(r, 2)].sort(), ['2 egress 453 tcp/53 proxy [default/fqdn]', '2 egress 453 udp/53 proxy [default/fqdn]', '2 egress cidr:198.18.0.11/32 tcp/80 allow [default/fqdn]']);
  // Nothing learnt yet: no address is allowed, the DNS entries stay.
  const none = compileYaml([fqdn], SW, { fqdn: { ips: () => [] } });
  t.deepEqual(none.ipcache, []);
  t.deepEqual(lines(none, 2).filter((l) => l.includes('tcp/80')), []);
  const c = new PolicyCompiler({ cidrIdentities: new CidrIdentities(), ...cluster(SW), fqdn: view });
  c.load([yamlPolicy(fqdn)]);
  const ref = { kind: 'NetobsNetworkPolicy' as const, namespace: 'default', name: 'fqdn' };
  t.deepEqual(c.dnsDecision(2, 'egress', 453, 17, 53), { kind: 'dns', rules: [{ policy: ref, rules: [{ matchPattern: '*.world.lab' }] }] });
  t.deepEqual(c.dnsDecision(2, 'egress', 454, 17, 53), { kind: 'denied', policies: [] });
  t.deepEqual(c.dnsDecision(1, 'egress', 453, 17, 53), { kind: 'all', policies: [] }, 'not enforced on egress');
});
