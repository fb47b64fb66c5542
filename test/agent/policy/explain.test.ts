import test from 'ava';
import { parse } from 'yaml';
import { formatExplanation } from '../../../api/status/explain.ts';
import { RuleIds } from '../../../agent/datapath/rule-ids.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { PolicyCompiler } from '../../../agent/policy/compile.ts';
import { explain, type ExplainSide } from '../../../agent/policy/explain.ts';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import { cluster, crd, knp, type Pod } from './cluster.ts';

// The demo's ships, all on this node.
const PODS: Pod[] = [
  { identity: 1000, ns: 'default', labels: { org: 'empire', class: 'deathstar' }, endpoint: 1 },
  { identity: 1001, ns: 'default', labels: { org: 'empire', class: 'tiefighter' }, endpoint: 2 },
  { identity: 1002, ns: 'default', labels: { org: 'alliance', class: 'xwing' }, endpoint: 3 },
];
const RULE1 = knp('rule1', '  podSelector: {matchLabels: {org: empire, class: deathstar}}\n  ingress: [{from: [{podSelector: {matchLabels: {org: empire}}}], ports: [{protocol: TCP, port: 80}]}]');
const NO_TIE = crd('no-tiefighter', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {class: tiefighter}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]');

function setup(policies: string[]) {
  const c = new PolicyCompiler({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });
  c.load(policies.map((y) => parsePolicy(parse(y))));
  const rules = new RuleIds();
  const ship = (name: string): ExplainSide => {
    const i = ['deathstar', 'tiefighter', 'xwing'].indexOf(name);
    return { input: `default/${name}`, pod: `default/${name}`, identity: PODS[i]!.identity, labels: [], endpointId: PODS[i]!.endpoint! };
  };
  return (from: string, to: string, port = 80, protocol = 'TCP') =>
    explain({ compiled: c, node: 'n1', source: ship(from), destination: ship(to), protocol, port, ruleId: (d, p) => rules.idOf(d, p), notEnforced: [] });
}

test('an allowed pair names the allow entry, its lookup order and the rule', (t) => {
  const e = setup([RULE1])('tiefighter', 'deathstar');
  t.is(e.verdict, 'ALLOWED');
  const egress = e.directions.find((d) => d.direction === 'egress')!;
  t.is(egress.reason, 'not-enforced');
  const ing = e.directions.find((d) => d.direction === 'ingress')!;
  t.is(ing.reason, 'allow');
  t.deepEqual(ing.selectedBy, ['NetworkPolicy default/rule1']);
  t.is(ing.decidedBy?.match, 'L3-L4');
  t.deepEqual(ing.decidedBy?.key, { endpointId: 1, direction: 'ingress', remoteIdentity: 1001, protocol: 6, port: 80, portBits: 16 });
  t.deepEqual(ing.decidedBy?.value?.policies, ['NetworkPolicy default/rule1']);
  t.not(ing.decidedBy?.value?.ruleId, 0);
  // Both lookups are made (this identity, any identity): a deny in either would win.
  t.deepEqual(ing.probes.map((p) => p.key.remoteIdentity), [1001, 0]);
  t.deepEqual(ing.rules, [{ policy: 'NetworkPolicy default/rule1', action: 'allow', rule: 'ingress from [endpoints{k8s:io.kubernetes.pod.namespace=default, k8s:org=empire}] ports [80/TCP]' }]);
  t.regex(formatExplanation(e), /^ALLOWED: default\/tiefighter/);
});

test('a default-deny drop names the policy that selected the endpoint and the missing allow', (t) => {
  const e = setup([RULE1])('xwing', 'deathstar');
  t.is(e.verdict, 'DENIED');
  const ing = e.directions.find((d) => d.direction === 'ingress')!;
  t.is(ing.reason, 'no-allow');
  t.is(ing.decidedBy, undefined);
  t.deepEqual(ing.selectedBy, ['NetworkPolicy default/rule1']);
  t.regex(ing.missing ?? '', /no ingress allow for default\/xwing \(identity 1002\) on 80\/TCP: none of NetworkPolicy default\/rule1 allows it/);
  t.true(ing.probes.every((p) => p.value === undefined || p.key.remoteIdentity !== 1002));
  t.regex(formatExplanation(e), /default-deny: selected by NetworkPolicy default\/rule1/);
  // Another port of an allowed peer misses the same way.
  t.is(setup([RULE1])('tiefighter', 'deathstar', 443).directions.find((d) => d.direction === 'ingress')?.reason, 'no-allow');
});

test('an explicit deny wins over the allow and names the deny rule', (t) => {
  const e = setup([RULE1, NO_TIE])('tiefighter', 'deathstar');
  t.is(e.verdict, 'DENIED');
  const ing = e.directions.find((d) => d.direction === 'ingress')!;
  t.is(ing.reason, 'deny-entry');
  t.is(ing.decidedBy?.value?.action, 'deny');
  t.deepEqual(ing.decidedBy?.value?.policies, ['NetobsNetworkPolicy default/no-tiefighter']);
  t.is(ing.probes.length, 2, 'both lookups are made; the deny found wins');
  t.is(ing.rules[0]?.action, 'deny');
  t.regex(ing.rules[0]?.rule ?? '', /class=tiefighter/);
  t.deepEqual(ing.selectedBy, ['NetobsNetworkPolicy default/no-tiefighter', 'NetworkPolicy default/rule1']);
  // The X-wing is not the deny's peer: still default-deny.
  t.is(setup([RULE1, NO_TIE])('xwing', 'deathstar').directions.find((d) => d.direction === 'ingress')?.reason, 'no-allow');
});

test('an egress policy on the source is judged too; any denying side denies', (t) => {
  const egress = crd('xwing-out', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toEndpoints: [{matchLabels: {class: deathstar}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]');
  const e = setup([egress])('xwing', 'deathstar');
  t.is(e.verdict, 'ALLOWED');
  t.is(e.directions.find((d) => d.direction === 'egress')?.reason, 'allow');
  const denied = setup([egress])('xwing', 'tiefighter');
  t.is(denied.verdict, 'DENIED');
  t.is(denied.directions.find((d) => d.direction === 'egress')?.reason, 'no-allow');
  t.is(denied.directions.find((d) => d.direction === 'ingress')?.reason, 'not-enforced');
});

test('an unknown protocol is refused', (t) => {
  t.throws(() => setup([RULE1])('xwing', 'deathstar', 80, 'GRE'), { message: /protocol "GRE"/ });
});
