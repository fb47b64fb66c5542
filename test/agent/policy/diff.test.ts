import test from 'ava';
import { diffEnforcement, diffEntries, diffIpcache } from '../../../agent/policy/diff.ts';
import { formatEntry } from '../../../agent/policy/entries.ts';
import { ALLOW_FRONTEND } from './helpers.ts';
import { compileYaml, crd, type Pod } from './cluster.ts';

const PODS: Pod[] = [
  { identity: 1001, ns: 'network-policy-test', labels: { role: 'frontend' }, endpoint: 101 },
  { identity: 1002, ns: 'network-policy-test', labels: { role: 'backend' }, endpoint: 102 },
];
const DENY = crd('deny-backend', '  endpointSelector: {matchLabels: {role: frontend}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {role: backend}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]', 'network-policy-test');
const CIDR = crd('cidr', '  endpointSelector: {matchLabels: {role: backend}}\n  egress: [{toCIDR: [10.0.0.0/8]}]', 'network-policy-test');

test('adding a policy adds its entries and nothing else changes', (t) => {
  const before = compileYaml([], PODS);
  const after = compileYaml([ALLOW_FRONTEND], PODS);
  const d = diffEntries(before.entries, after.entries);
  t.deepEqual(d.add.map(formatEntry), ['101 ingress 1 any allow []', '101 ingress 1002 tcp/80 allow [network-policy-test/allow-frontend]']);
  t.deepEqual(d.remove, []);
  t.deepEqual(diffEnforcement(before.enforcement, after.enforcement).add, [{ endpointId: 101, ingress: true, egress: false }]);
});

test('removing it removes them', (t) => {
  const d = diffEntries(compileYaml([ALLOW_FRONTEND], PODS).entries, compileYaml([], PODS).entries);
  t.deepEqual(d.add, []);
  t.is(d.remove.length, 2);
});

test('a verdict change under the same key is an upsert, not a removal', (t) => {
  const d = diffEntries(compileYaml([ALLOW_FRONTEND], PODS).entries, compileYaml([ALLOW_FRONTEND, DENY], PODS).entries);
  t.deepEqual(d.add.map(formatEntry), ['101 ingress 1002 tcp/80 deny [network-policy-test/deny-backend]']);
  t.deepEqual(d.remove, []);
});

test('recompiling the same input is an empty diff', (t) => {
  const a = compileYaml([ALLOW_FRONTEND, DENY, CIDR], PODS);
  const b = compileYaml([CIDR, DENY, ALLOW_FRONTEND], PODS);
  t.deepEqual(diffEntries(a.entries, b.entries), { add: [], remove: [] });
  t.deepEqual(diffIpcache(a.ipcache, b.ipcache), { add: [], remove: [] });
});

test('ipcache prefixes follow the policies', (t) => {
  const d = diffIpcache(compileYaml([CIDR], PODS).ipcache, compileYaml([], PODS).ipcache);
  t.deepEqual(d.add, []);
  t.deepEqual(d.remove.map((c) => c.prefix), ['10.0.0.0/8']);
});
