// A policy that would not fit the policy map is refused with the numbers before anything is
// written; what was enforced before stays enforced. Port ranges are a few entries, not one per port.
import test from 'ava';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { formatEntry } from '../../../agent/policy/entries.ts';
import { PolicyState } from '../../../agent/runtime/policies.ts';
import type { PolicyObject } from '../../../lib/kube-objects.ts';
import { cluster, type Pod } from '../policy/cluster.ts';

const PODS: Pod[] = [
  { identity: 300, ns: 'default', labels: { app: 'server' }, endpoint: 1 },
  { identity: 301, ns: 'default', labels: { app: 'client' } },
];
const view = () => ({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });

let rv = 0;
function policy(name: string, ports: { port: string; endPort?: number; protocol?: string }[]): PolicyObject {
  return {
    apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy',
    metadata: { name, namespace: 'default', uid: name, resourceVersion: String(++rv), generation: rv },
    spec: { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports }] }] },
  };
}
const objects = (...ps: PolicyObject[]) => new Map(ps.map((p) => [`default/${p.metadata.name}`, p]));
const exact = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ port: String(from + i), protocol: 'TCP' }));

test('over the per-endpoint capacity: Valid=False with entries needed vs capacity, and nothing to write', (t) => {
  const s = new PolicyState(view(), { perEndpoint: 20, total: 1000 });
  const { deltas, validity } = s.sync(objects(policy('big', exact(30, 1000))), false);
  t.deepEqual(validity.map((v) => v.validity), [{ valid: false, message: 'needs 31 policy map entries on endpoint 1, over its capacity of 20 (use port ranges or fewer peers, or split the policy)', generation: rv }]);
  t.deepEqual(deltas, [], 'no delta: the kernel never sees it');
  t.deepEqual(s.compiler.result().entries, []);
  t.is(s.invalid.get('default/big')?.startsWith('needs 31'), true, 'NetworkPolicies have no status: `status` lists it');
});

test('an update that would not fit keeps the previous version enforced', (t) => {
  const s = new PolicyState(view(), { perEndpoint: 20, total: 1000 });
  s.sync(objects(policy('p', exact(2, 80))), false);
  const before = s.compiler.result().entries.map(formatEntry);
  t.is(before.length, 3);
  const { deltas, validity } = s.sync(objects(policy('p', exact(25, 1000))), false);
  t.false(validity[0]?.validity.valid);
  t.deepEqual(deltas, []);
  t.deepEqual(s.compiler.result().entries.map(formatEntry), before);
});

test('over the whole map: the total is checked too', (t) => {
  const s = new PolicyState(view(), { perEndpoint: 1000, total: 10 });
  const { validity } = s.sync(objects(policy('a', exact(5, 80)), policy('b', exact(8, 1000))), false);
  t.deepEqual(validity.map((v) => [v.obj.metadata.name, v.validity.valid]), [['a', true], ['b', false]]);
  t.regex((validity[1]?.validity as { message: string }).message, /^needs 14 policy map entries on this node, over the map's capacity of 10$/);
});

test('the first sync refuses only the policies that do not fit', (t) => {
  const s = new PolicyState(view(), { perEndpoint: 12, total: 1000 });
  const { validity } = s.sync(objects(policy('a', exact(5, 80)), policy('b', exact(8, 1000))), true);
  t.deepEqual(validity.map((v) => [v.obj.metadata.name, v.validity.valid]), [['a', true], ['b', false]]);
  t.is(s.compiler.result().entries.length, 6);
});

test('a 1-1024/ANY range is 33 entries (11 port blocks x TCP, UDP, SCTP), not 3072', (t) => {
  const s = new PolicyState(view(), { perEndpoint: 100, total: 1000 });
  const { validity } = s.sync(objects(policy('range', [{ port: '1', endPort: 1024, protocol: 'ANY' }])), false);
  t.true(validity[0]?.validity.valid);
  t.is(s.compiler.result().entries.filter((e) => e.policies.length > 0).length, 33);
});
