// A Kubernetes NetworkPolicy ipBlock matches pod IPs too (upstream's e2e expects it: egress to a
// pod's IP /32, a /4 with an except of one pod), while a netobs CIDR rule keeps Cilium's meaning
// (addresses outside the cluster only). The datapath decides per identity, so a pod identity is
// taken only when every pod holding it lies inside the block.
import test from 'ava';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { PolicyCompiler } from '../../../agent/policy/compile.ts';
import { parsePolicy } from '../../../agent/policy/validate.ts';
import { parse } from 'yaml';
import { cluster, compileYaml, crd, knp, remotes, type Pod } from './cluster.ts';

// Namespace x with pods a (local, endpoint 1), b, c; namespace y with pod a.
const X: Pod[] = [
  { identity: 1001, ns: 'x', labels: { pod: 'a' }, endpoint: 1, ips: ['10.201.0.11'] },
  { identity: 1002, ns: 'x', labels: { pod: 'b' }, ips: ['10.201.0.12'] },
  { identity: 1003, ns: 'x', labels: { pod: 'c' }, ips: ['10.201.1.13'] },
  { identity: 1004, ns: 'y', labels: { pod: 'a' }, endpoint: 4, ips: ['10.201.1.14'] },
];

const egressTo = (ipBlock: string) => knp('np', `  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: ${ipBlock}}]}]`, 'x');
const sorted = (xs: (number | string)[]) => [...xs].sort((a, b) => String(a).localeCompare(String(b)));

test('an ipBlock /32 of a pod IP allows that pod (its identity), besides the CIDR identity', (t) => {
  const r = compileYaml([egressTo('{cidr: 10.201.0.12/32}')], X);
  t.deepEqual(sorted(remotes(r, 1)), sorted([1002, 'cidr:10.201.0.12/32']));
});

test('an ipBlock /4 with an except of one pod allows every other pod, not the excepted one', (t) => {
  const r = compileYaml([egressTo('{cidr: 0.0.0.0/4, except: [10.201.0.12/32]}')], X);
  t.deepEqual(sorted(remotes(r, 1)), sorted([1001, 1003, 1004, 'cidr:0.0.0.0/4']));
});

test('an ipBlock 0.0.0.0/0 on ingress is the world and every pod but the excepted ones', (t) => {
  const r = compileYaml([knp('np', '  podSelector: {matchLabels: {pod: a}}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.201.1.0/24]}}]}]', 'x')], X);
  // 1 is the host's probe allowance every ingress-enforced endpoint gets.
  t.deepEqual(sorted(remotes(r, 1)), sorted([1, 2, 1001, 1002]));
});

test('a netobs toCIDR of a pod IP does not select the pod (Cilium semantics)', (t) => {
  const r = compileYaml([crd('c', '  endpointSelector: {matchLabels: {pod: a}}\n  egress: [{toCIDR: [10.201.0.12/32]}, {toCIDRSet: [{cidr: 0.0.0.0/4, except: [10.201.0.12/32]}]}]', 'x')], X);
  t.deepEqual(sorted(remotes(r, 1)), sorted(['cidr:10.201.0.12/32', 'cidr:0.0.0.0/4']));
});

test('an identity held by pods inside and outside the block is not taken (never wider than the block)', (t) => {
  const shared: Pod[] = [...X, { identity: 1002, ns: 'x', labels: { pod: 'b' }, ips: ['10.202.0.99'] }];
  const r = compileYaml([egressTo('{cidr: 10.201.0.0/16}')], shared);
  t.deepEqual(sorted(remotes(r, 1)), sorted([1001, 1003, 1004, 'cidr:10.201.0.0/16']));
});

test('a pod that leaves the block (new IP) or joins it is followed when the view changes', (t) => {
  const c = new PolicyCompiler({ cidrIdentities: new CidrIdentities(), ...cluster(X) });
  c.load([parsePolicy(parse(egressTo('{cidr: 10.201.0.0/24}')))]);
  const ids = () => c.result().entries.filter((e) => e.endpointId === 1).map((e) => e.remoteIdentity).filter((id) => id < 16777216).sort();
  t.deepEqual(ids(), [1001, 1002]);
  const moved = X.map((p) => (p.identity === 1002 ? { ...p, ips: ['10.201.9.12'] } : p.identity === 1003 ? { ...p, ips: ['10.201.0.13'] } : p));
  const d = c.setView({ cidrIdentities: new CidrIdentities(), ...cluster(moved) });
  t.deepEqual(ids(), [1001, 1003]);
  t.true(d.entries.remove.some((e) => e.remoteIdentity === 1002));
  t.true(d.entries.add.some((e) => e.remoteIdentity === 1003));
});
