import test from 'ava';
import { parse } from 'yaml';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { compilePolicies, PolicyCompiler } from '../../../agent/policy/compile.ts';
import { entryKey, formatEntry, policyRefKey, type PolicyEntry } from '../../../agent/policy/entries.ts';
import type { ParsedPolicy } from '../../../agent/policy/types.ts';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import { cluster, crd, knp, lines, type Pod } from './cluster.ts';

const PODS: Pod[] = [
  { identity: 300, ns: 'default', labels: { app: 'a' }, endpoint: 1, namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
  { identity: 301, ns: 'default', labels: { app: 'b' }, endpoint: 2 },
  { identity: 302, ns: 'default', labels: { app: 'c' } },
  { identity: 303, ns: 'other', labels: { app: 'a' } },
];

const POOL: ParsedPolicy[] = [
  crd('allow-b', '  endpointSelector: {matchLabels: {app: a}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: b}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]'),
  crd('allow-all', '  endpointSelector: {}\n  ingress: [{fromEntities: [all]}]'),
  crd('deny-tcp', '  endpointSelector: {matchLabels: {app: a}}\n  ingressDeny: [{toPorts: [{ports: [{port: "0", protocol: TCP}]}]}]'),
  crd('deny-c', '  endpointSelector: {}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {app: c}}]}]\n  enableDefaultDeny: {ingress: false}'),
  crd('cidr', '  endpointSelector: {matchLabels: {app: b}}\n  egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}]}]'),
  crd('cidr2', '  endpointSelector: {matchLabels: {app: a}}\n  egress: [{toCIDR: [10.1.2.0/24]}, {toEntities: [world]}]'),
  knp('k8s-named', '  podSelector: {matchLabels: {app: a}}\n  ingress: [{from: [{podSelector: {}}], ports: [{port: http}]}]'),
  knp('k8s-egress', '  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {}}]}]'),
  crd('port80', '  endpointSelector: {matchLabels: {app: b}}\n  ingress: [{toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]'),
  crd('allow-b', '  endpointSelector: {matchLabels: {app: a}}\n  ingress: [{fromEndpoints: [{matchLabels: {app: b}}], toPorts: [{ports: [{port: "443", protocol: TCP}]}]}]'),
].map((y) => parsePolicy(parse(y)));

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`incremental updates match a compile from scratch (random sequence ${seed})`, (t) => {
    const view = { ...cluster(PODS), cidrIdentities: new CidrIdentities() };
    const compiler = new PolicyCompiler(view);
    const map = new Map<string, PolicyEntry>();
    const current = new Map<string, ParsedPolicy>();
    const next = rng(seed);
    for (let step = 0; step < 40; step++) {
      const p = POOL[next(POOL.length)] as ParsedPolicy;
      const key = policyRefKey(p.ref);
      const removing = current.has(key) && next(2) === 0;
      const delta = removing ? compiler.remove(p.ref) : compiler.upsert(p);
      if (removing) current.delete(key);
      else current.set(key, p);
      for (const e of delta.entries.add) map.set(entryKey(e), e);
      for (const e of delta.entries.remove) map.delete(entryKey(e));
      const scratch = compilePolicies({ ...cluster(PODS), cidrIdentities: new CidrIdentities(), policies: [...current.values()] });
      const got = compiler.result();
      // CIDR identity numbers may differ after hash collisions; compare them by prefix.
      t.deepEqual(lines(got), lines(scratch), `step ${step}`);
      t.deepEqual(lines(got, undefined, [...map.values()]).sort(), lines(scratch).sort(), `map after step ${step}`);
      t.deepEqual(got.enforcement, scratch.enforcement);
      t.deepEqual(got.visibility, scratch.visibility);
    }
  });
}

test('a change that keeps the CIDR prefixes is applied without a rebuild', (t) => {
  const compiler = new PolicyCompiler({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });
  compiler.load(POOL.slice(0, 5));
  const d = compiler.upsert(POOL[9] as ParsedPolicy);
  t.false(d.rebuilt);
  // allow-b moves from port 80 to 443 (deny-tcp, of any identity, wins in the datapath's own lookup).
  t.deepEqual(d.entries.add.map((e) => formatEntry(e)), ['1 ingress 301 tcp/443 allow [default/allow-b]']);
  t.deepEqual(d.entries.remove.map((e) => formatEntry(e)), ['1 ingress 301 tcp/80 allow [default/allow-b]']);
});

test('a new CIDR prefix rebuilds and reports the ipcache change', (t) => {
  const compiler = new PolicyCompiler({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });
  compiler.load([POOL[0] as ParsedPolicy]);
  const d = compiler.upsert(POOL[5] as ParsedPolicy);
  t.true(d.rebuilt);
  t.deepEqual(d.ipcache.add.map((c) => c.prefix), ['10.1.2.0/24']);
  t.deepEqual(d.enforcement.add, [{ endpointId: 1, ingress: true, egress: true }]);
});
