import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatExplanation } from '../../../api/status/explain.ts';
import { explainOffline, parseDestination } from '../../../cmd/policy/explain.ts';

const dir = mkdtempSync(join(tmpdir(), 'netobs-explain-'));
const ship = (name: string, org: string, ip: string, extra = '') => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, labels: {org: ${org}, class: ${name.split('-')[0]}${extra}}${name.includes('-') ? `, ownerReferences: [{kind: ReplicaSet, name: deathstar-5d8f, controller: true}]` : ''}}
spec: {nodeName: node-a, containers: [{name: c, image: busybox}]}
status: {phase: Running, podIP: ${ip}}
`;
const cluster = join(dir, 'cluster.yaml');
writeFileSync(cluster, `apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n` +
  ship('deathstar-5d8f-x1', 'empire', '10.0.0.10', ', pod-template-hash: 5d8f') + ship('tiefighter', 'empire', '10.0.0.11') + ship('xwing', 'alliance', '10.0.0.12') +
  '---\napiVersion: v1\nkind: Service\nmetadata: {name: deathstar, namespace: default}\nspec: {clusterIP: 10.96.0.20, selector: {class: deathstar}, ports: [{port: 80}]}\n');
const policies = join(dir, 'policies.yaml');
writeFileSync(policies, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: rule1, namespace: default}
spec:
  podSelector: {matchLabels: {org: empire, class: deathstar}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {org: empire}}}], ports: [{protocol: TCP, port: 80}]}]
---
apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: bad, namespace: default}
spec:
  endpointSelector: {}
  ingress: [{fromCIDR: [10.0.0.0/33]}]
`);

test('offline: a workload name, the default-deny policy and the missing allow', async (t) => {
  const e = await explainOffline({ src: 'default/xwing', ...parseDestination('default/deathstar:80/TCP') }, [policies], [cluster]);
  t.is(e.verdict, 'DENIED');
  t.is(e.destination.pod, 'default/deathstar-5d8f-x1');
  const ing = e.directions.find((d) => d.direction === 'ingress')!;
  t.deepEqual(ing.selectedBy, ['NetworkPolicy default/rule1']);
  t.regex(ing.missing ?? '', /no ingress allow for default\/xwing/);
  t.regex(e.notEnforced[0]?.policy ?? '', /NetobsNetworkPolicy default\/bad/);
  t.regex(e.notEnforced[0]?.reason ?? '', /Valid=False.*10\.0\.0\.0\/33/);
  t.regex(formatExplanation(e), /not enforced: NetobsNetworkPolicy default\/bad/);
});

test('offline: an allowed pair by IP names the rule', async (t) => {
  const e = await explainOffline({ src: '10.0.0.11', ...parseDestination('10.0.0.10:80') }, [policies], [cluster]);
  t.is(e.verdict, 'ALLOWED');
  t.is(e.source.pod, 'default/tiefighter');
  const ing = e.directions.find((d) => d.direction === 'ingress')!;
  t.is(ing.reason, 'allow');
  t.is(ing.rules[0]?.policy, 'NetworkPolicy default/rule1');
});

test('a world source has no egress side, and says why', async (t) => {
  const e = await explainOffline({ src: '192.0.2.1', ...parseDestination('default/tiefighter:443/TCP') }, [policies], [cluster]);
  t.is(e.source.identity, 2);
  t.deepEqual(e.directions.map((d) => d.direction), ['ingress']);
  t.regex(e.unjudged[0] ?? '', /egress of 192\.0\.2\.1: not a pod netobs manages/);
});

test('an audit policy is named as not enforced and changes no verdict', async (t) => {
  const audit = join(dir, 'audit.yaml');
  writeFileSync(audit, `apiVersion: netobs.io/v1alpha1
kind: NetworkPolicy
metadata: {name: no-tiefighter, namespace: default, annotations: {netobs.io/audit: "true"}}
spec:
  endpointSelector: {matchLabels: {class: deathstar}}
  ingressDeny: [{fromEndpoints: [{matchLabels: {class: tiefighter}}]}]
`);
  const e = await explainOffline({ src: 'default/tiefighter', ...parseDestination('default/deathstar:80/TCP') }, [policies, audit], [cluster]);
  t.is(e.verdict, 'ALLOWED');
  t.true(e.notEnforced.some((n) => n.policy === 'NetobsNetworkPolicy default/no-tiefighter' && /audit mode/.test(n.reason)));
});

test('a Service address is refused: the datapath judges the backend', async (t) => {
  await t.throwsAsync(explainOffline({ src: 'default/xwing', ...parseDestination('10.96.0.20:80/TCP') }, [policies], [cluster]), { message: /10\.96\.0\.20 is the address of service default\/deathstar: .*backend/ });
});

test('destinations are DST:PORT/PROTO', (t) => {
  t.deepEqual(parseDestination('default/deathstar:80/tcp'), { dst: 'default/deathstar', port: 80, protocol: 'TCP' });
  t.deepEqual(parseDestination('[fd00::1]:53/UDP'), { dst: 'fd00::1', port: 53, protocol: 'UDP' });
  t.throws(() => parseDestination('default/deathstar'), { message: /DST:PORT\/PROTO/ });
});
