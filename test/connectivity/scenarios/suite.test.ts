import test from 'ava';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { networkPolicyCrd } from '../../../install/crds/definitions.ts';
import { validateCustomResource } from '../../../lib/openapi-schema/index.ts';
import { describeExpectation, success } from '../../../connectivity/framework/expect.ts';
import { isSkip, type Action, type Env, type TestDefinition } from '../../../connectivity/framework/types.ts';
import { connectivitySuite } from '../../../connectivity/scenarios/suite.ts';
import { env, topology } from '../helpers.ts';

const suite = connectivitySuite();
const byName = (n: string) => suite.find((t) => t.name === n)!;

/** Every action of a test as `name => expectation`, with skipped scenarios as `scenario: SKIP reason`. */
function plan(t: TestDefinition, e: Env = env()): string[] {
  return t.scenarios.flatMap((s) => {
    const a = s.actions(e);
    if (isSkip(a)) return [`${s.name}: SKIP ${a.skip}`];
    return a.map((x: Action) => `${x.name} => ${describeExpectation(t.expect?.(x) ?? success())}`);
  });
}

test('the suite: names are unique and match what users select with --test', (t) => {
  t.deepEqual(suite.map((x) => x.name), [
    'pod-to-pod', 'pod-to-pod-udp', 'pod-to-service', 'pod-to-local-nodeport', 'pod-to-remote-nodeport', 'pod-to-host', 'host-to-pod',
    'client-to-client', 'dns-resolution', 'pod-to-world', 'pod-to-cidr',
    'all-ingress-deny', 'allow-by-label', 'egress-deny-cidr', 'deny-over-allow', 'k8s-network-policy', 'egress-allow-via-service',
    'l7-visibility', 'no-unexpected-packet-drops',
  ]);
  for (const x of suite) {
    const names = plan(x, env({ externalTarget: 'one.one.one.one', externalIP: '1.1.1.1' }));
    t.is(new Set(names).size, names.length, `${x.name}: action names unique`);
    t.true(x.description.length > 10);
  }
});

test('pod-to-pod: both clients to both echo pods, by pod IP', (t) => {
  t.deepEqual(plan(byName('pod-to-pod')), [
    'pod-to-pod-same-node/client->echo-same-node http 10.0.1.20:8080 => success',
    'pod-to-pod-same-node/client2->echo-same-node http 10.0.1.20:8080 => success',
    'pod-to-pod-other-node/client->echo-other-node http 10.0.2.21:8080 => success',
    'pod-to-pod-other-node/client2->echo-other-node http 10.0.2.21:8080 => success',
  ]);
});

test('single node: the other-node scenarios skip with a reason; the rest still runs', (t) => {
  const topo = topology();
  delete topo.client3;
  delete topo.echoOtherNode;
  delete topo.echoOtherNodeService;
  topo.nodes = topo.nodes.slice(0, 1);
  const e = env({}, topo);
  t.deepEqual(plan(byName('pod-to-pod'), e), [
    'pod-to-pod-same-node/client->echo-same-node http 10.0.1.20:8080 => success',
    'pod-to-pod-same-node/client2->echo-same-node http 10.0.1.20:8080 => success',
    'pod-to-pod-other-node: SKIP needs a second node (client3 and echo-other-node are not scheduled)',
  ]);
  t.deepEqual(plan(byName('pod-to-remote-nodeport'), e), ['pod-to-remote-nodeport: SKIP needs a second node']);
  t.is(plan(byName('client-to-client'), e).length, 2);
});

test('services: ClusterIP and by name, with VIP and backend as the destination addresses', (t) => {
  const e = env();
  t.deepEqual(plan(byName('pod-to-service'), e), [
    'pod-to-service/client->echo-same-node (ClusterIP) http 10.96.0.20:8080 => success',
    'pod-to-service/client->echo-other-node (ClusterIP) http 10.96.0.21:8080 => success',
    'pod-to-service/client2->echo-same-node (ClusterIP) http 10.96.0.20:8080 => success',
    'pod-to-service/client2->echo-other-node (ClusterIP) http 10.96.0.21:8080 => success',
    'pod-to-service-by-name/client->echo-same-node.netobs-test http echo-same-node.netobs-test:8080 => success',
    'pod-to-service-by-name/client->echo-other-node.netobs-test http echo-other-node.netobs-test:8080 => success',
  ]);
  const [first] = byName('pod-to-service').scenarios[0]!.actions(e) as Action[];
  t.deepEqual(first!.destination.ips, ['10.96.0.20', '10.0.1.20']);
  t.deepEqual(first!.check, { httpStatus: 200 });
  const noDns = { ...topology() };
  delete noDns.clusterDNS;
  t.deepEqual(plan(byName('pod-to-service'), env({}, noDns)).at(-1), 'pod-to-service-by-name: SKIP no cluster DNS service (kube-system, k8s-app=kube-dns)');
});

test('nodeports: local node and remote node, sources include node IPs for masquerading', (t) => {
  t.deepEqual(plan(byName('pod-to-local-nodeport')), [
    'pod-to-local-nodeport/client->echo-same-node (NodePort node-1) http 192.168.0.1:31000 => success',
    'pod-to-local-nodeport/client->echo-other-node (NodePort node-1) http 192.168.0.1:31100 => success',
  ]);
  t.deepEqual(plan(byName('pod-to-remote-nodeport')), [
    'pod-to-remote-nodeport/client->echo-same-node (NodePort node-2) http 192.168.0.2:31000 => success',
    'pod-to-remote-nodeport/client->echo-other-node (NodePort node-2) http 192.168.0.2:31100 => success',
  ]);
  const [a] = byName('pod-to-remote-nodeport').scenarios[0]!.actions(env()) as Action[];
  t.deepEqual(a!.source.ips, ['10.0.1.10', '192.168.0.1', '192.168.0.2']);
  t.deepEqual(a!.destination.ips, ['192.168.0.2', '10.0.1.20']);
});

test('host paths, client-to-client ICMP and DNS', (t) => {
  t.deepEqual(plan(byName('pod-to-host')), [
    'pod-to-host/client->node/node-1 icmp 192.168.0.1 => success',
    'pod-to-host/client->node/node-2 icmp 192.168.0.2 => success',
  ]);
  const hostToPod = plan(byName('host-to-pod'));
  t.is(hostToPod.length, 4);
  t.is(hostToPod[0], 'host-to-pod/host/node-1->echo-same-node http 10.0.1.20:8080 => success');
  const [h] = byName('host-to-pod').scenarios[0]!.actions(env()) as Action[];
  t.is(h!.source.pod.name, 'host-netns-1', 'the probe runs in the host-network pod');
  t.deepEqual(plan(byName('client-to-client')), [
    'client-to-client/client->client2 icmp 10.0.1.11 => success',
    'client-to-client/client2->client icmp 10.0.1.10 => success',
    'client-to-client/client->client3 icmp 10.0.2.12 => success',
    'client-to-client/client3->client icmp 10.0.1.10 => success',
  ]);
  t.deepEqual(plan(byName('dns-resolution')), [
    'dns-to-echo-pods/client->echo-same-node dns echo.netobs.test@10.0.1.20:53 => success',
    'dns-to-echo-pods/client->echo-other-node dns echo.netobs.test@10.0.2.21:53 => success',
    'dns-cluster-service/client->kube-system/kube-dns dns echo-same-node.netobs-test@resolv.conf => success',
    'dns-cluster-service/client->kube-system/kube-dns dns echo-other-node.netobs-test@resolv.conf => success',
  ]);
  const actions = byName('dns-resolution').scenarios.flatMap((s) => s.actions(env()) as Action[]);
  t.deepEqual(actions.map((a) => a.check?.dnsAnswer), ['10.0.1.20', '10.0.2.21', '10.96.0.20', '10.96.0.21']);
  // A datapath that translates Services at the pod shows the DNS server's endpoint, not the ClusterIP.
  const e = env();
  e.topology.clusterDNS = { ...e.topology.clusterDNS!, endpointIPs: ['192.168.0.53'] };
  const viaEndpoint = byName('dns-resolution').scenarios[1]!.actions(e) as Action[];
  t.deepEqual(viaEndpoint[0]!.destination.ips, ['10.96.0.10', '192.168.0.53']);
});

test('outside the cluster: skipped without a target, run with one', (t) => {
  t.deepEqual(plan(byName('pod-to-world')), ['pod-to-world: SKIP no outside target (pass --external-target host[:port])']);
  t.deepEqual(plan(byName('pod-to-cidr')), ['pod-to-cidr: SKIP no outside IP (pass --external-ip, or an IP as --external-target)']);
  t.is(byName('egress-deny-cidr').skip?.(env().params), 'no outside IP (pass --external-ip, or an IP as --external-target)');
  const e = env({ externalTarget: 'example.org', externalIP: '93.184.215.14', externalPort: 8081 });
  t.deepEqual(plan(byName('pod-to-world'), e), ['pod-to-world/client->world http example.org:8081 => success']);
  t.deepEqual(plan(byName('pod-to-world'), env({ externalTarget: 'example.org:443' })), ['pod-to-world/client->world http example.org:443 => success']);
  t.deepEqual(plan(byName('pod-to-cidr'), e), [
    'pod-to-cidr/client->cidr/93.184.215.14 tcp 93.184.215.14:8081 => success',
    'pod-to-cidr/client2->cidr/93.184.215.14 tcp 93.184.215.14:8081 => success',
  ]);
  t.deepEqual(plan(byName('egress-deny-cidr'), e), [
    'pod-to-cidr/client->cidr/93.184.215.14 tcp 93.184.215.14:8081 => drop (POLICY_DENY by client-egress-deny-cidr)',
    'pod-to-cidr/client2->cidr/93.184.215.14 tcp 93.184.215.14:8081 => drop (POLICY_DENY by client-egress-deny-cidr)',
    'pod-to-pod-same-node/client->echo-same-node http 10.0.1.20:8080 => success',
    'pod-to-pod-same-node/client2->echo-same-node http 10.0.1.20:8080 => success',
  ]);
});

test('policy tests: expectations per source', (t) => {
  const onlyExpect = (n: string) => plan(byName(n)).map((l) => l.replace(/ http .* =>/, ' =>'));
  t.true(plan(byName('all-ingress-deny')).every((l) => l.endsWith('=> drop (POLICY_DENIED by all-ingress-deny)')));
  t.is(plan(byName('all-ingress-deny')).length, 4 + 4 + 4);
  t.deepEqual(onlyExpect('allow-by-label'), [
    'pod-to-pod-same-node/client->echo-same-node => success',
    'pod-to-pod-same-node/client2->echo-same-node => drop (POLICY_DENIED by echo-ingress-from-client)',
    'pod-to-pod-other-node/client->echo-other-node => success',
    'pod-to-pod-other-node/client2->echo-other-node => drop (POLICY_DENIED by echo-ingress-from-client)',
  ]);
  t.deepEqual(onlyExpect('deny-over-allow').filter((l) => l.includes('client2')), [
    'pod-to-pod-same-node/client2->echo-same-node => drop (POLICY_DENY by echo-ingress-deny-client2)',
    'pod-to-pod-other-node/client2->echo-other-node => drop (POLICY_DENY by echo-ingress-deny-client2)',
  ]);
  t.deepEqual(onlyExpect('k8s-network-policy').filter((l) => l.includes('client2')).map((l) => l.split('=> ')[1]), [
    'drop (POLICY_DENIED by echo-ingress-from-client-k8s)', 'drop (POLICY_DENIED by echo-ingress-from-client-k8s)',
  ]);
  const viaService = byName('egress-allow-via-service');
  const serviceActions = viaService.scenarios.flatMap((s) => s.actions(env()) as Action[]);
  t.true(serviceActions.some((a) => a.scenario === 'pod-to-service') && serviceActions.some((a) => a.scenario === 'pod-to-service-by-name'));
  t.true(serviceActions.every((a) => viaService.expect!(a).outcome === 'success'), 'the policy admits every Service-addressed request');
  const l7 = byName('l7-visibility');
  const actions = l7.scenarios.flatMap((s) => s.actions(env()) as Action[]);
  t.deepEqual(actions.map((a) => l7.expect!(a)), [
    { outcome: 'success', l7: { http: { method: 'GET', path: '/l7-visibility', code: 200 } } },
    { outcome: 'success', l7: { http: { method: 'GET', path: '/l7-visibility', code: 200 } } },
    { outcome: 'success', l7: { dns: { query: 'echo.netobs.test' } } },
    { outcome: 'success', l7: { dns: { query: 'echo.netobs.test' } } },
  ]);
});

test('every policy the suite applies is valid: netobs policies against the CRD schema, k8s ones against the API model', (t) => {
  const params = env({ externalIP: '1.1.1.1' }).params;
  const objects = suite.flatMap((x) => x.policies?.(params) ?? []);
  t.is(objects.length, 9);
  t.is(new Set(objects.map((o) => o.metadata.name)).size, objects.length, 'policy names are unique');
  for (const o of objects) {
    t.is(o.metadata.namespace, 'netobs-test');
    if (o.apiVersion === 'netobs.io/v1alpha1') t.deepEqual(validateCustomResource(networkPolicyCrd(), o).errors, [], o.metadata.name);
    else t.notThrows(() => new NetworkPolicy(structuredClone(o) as never).validate(), o.metadata.name);
  }
});
