// The lab's pure node-side logic: address plan, service rules, DNS, image mapping, pod env and status.
import test from 'ava';
import { labPlan } from '../../../lab/node/plan.ts';
import { renderServiceTable } from '../../../lab/node/service-rules.ts';
import { buildQuery, parseAnswers, RCODE_NXDOMAIN } from '../../../lab/node/dns-codec.ts';
import { answer } from '../../../lab/node/dns-server.ts';
import { launchFor, repository } from '../../../lab/node/images.ts';
import { containerEnv, expand, resolvConf } from '../../../lab/node/pod-spec.ts';
import { podPhase } from '../../../lab/node/pod-status.ts';
import { orderMounts, prologue } from '../../../lab/node/containers.ts';
import type { KObject } from '../../../lab/apiserver/types.ts';

test('plans of two labs never share addresses, and names fit the kernel limits', (t) => {
  const a = labPlan('ci', 0, 2);
  const b = labPlan('other', 1, 3);
  t.is(a.nodes[1]!.podCidr, '10.200.2.0/24');
  t.is(b.nodes[0]!.podCidr, '10.201.1.0/24');
  t.not(a.serviceCidr, b.serviceCidr);
  t.not(a.underlayCidr, b.underlayCidr);
  t.true(labPlan('abcdefghijkl', 3, 1).hostLink.length <= 15);
  t.throws(() => labPlan('Bad_Name', 0, 1), { message: /invalid lab name/ });
});

test('service rules DNAT a ClusterIP to its backends and NodePorts only where asked', (t) => {
  const ports = [{ name: 'default/web:80', protocol: 'tcp' as const, clusterIp: '10.96.0.20', port: 80, nodePort: 30080, backends: [{ ip: '10.200.1.2', port: 8080 }, { ip: '10.200.2.2', port: 8080 }] }];
  const node = renderServiceTable('t', ports, { withNodePorts: true });
  t.regex(node, /ip daddr 10\.96\.0\.20 tcp dport 80 jump svc_0/);
  t.regex(node, /numgen random mod 2 vmap \{ 0 : jump svc_0_0, 1 : jump svc_0_1 \}/);
  t.regex(node, /meta l4proto tcp dnat to 10\.200\.2\.2:8080/);
  t.regex(node, /fib daddr type local tcp dport 30080 meta mark set 0x4000 jump svc_0/);
  t.notRegex(renderServiceTable('t', ports, { withNodePorts: false }), /dport 30080/);
  t.regex(renderServiceTable('t', [{ ...ports[0]!, backends: [] }], { withNodePorts: false }), /reject with tcp reset/);
});

const view = {
  services: [{ metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.20' } }, { metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None' } }] as KObject[],
  slices: [{ metadata: { namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } }, endpoints: [{ addresses: ['10.200.1.7'], conditions: { ready: true } }] }] as unknown as KObject[],
  pods: [],
  extra: { 'www.world.lab': ['198.18.0.10'] },
};

const resolves = test.macro({
  exec(t, name: string, ips: string[] | 'NXDOMAIN') {
    const out = parseAnswers(answer(buildQuery(7, name), view));
    if (ips === 'NXDOMAIN') t.is(out.rcode, RCODE_NXDOMAIN);
    else t.deepEqual(out.ips, ips);
  },
  title: (_p, name: string, ips: string[] | string) => `DNS ${name} -> ${Array.isArray(ips) ? ips.join(',') : ips}`,
});
test(resolves, 'web.shop.svc.cluster.local', ['10.96.0.20']);
test(resolves, 'db.shop.svc.cluster.local', ['10.200.1.7']);
test(resolves, '10-200-1-9.shop.pod.cluster.local', ['10.200.1.9']);
test(resolves, 'www.world.lab', ['198.18.0.10']);
test(resolves, 'nope.shop.svc.cluster.local', 'NXDOMAIN');
test(resolves, 'example.com', 'NXDOMAIN');

const ctx = { self: (a: string[]) => ['/self', ...a], busyboxDir: '/bb', hostPath: '/usr/bin' };
test('images map to local programs, unknown ones fail like a pull', (t) => {
  t.is(repository('docker.io/library/busybox:1.36@sha256:abc'), 'busybox');
  t.deepEqual(launchFor({ name: 'a', image: 'ghcr.io/x/netobs:dev', args: ['echo', '--port', '80'] }, ctx), { ok: true, argv: ['/self', 'echo', '--port', '80'], path: '/usr/bin:/bb', kind: 'netobs' });
  t.deepEqual(launchFor({ name: 'a', image: 'netobs/netobs:dev', command: ['kubectl-netobs', 'agent'] }, ctx).ok && launchFor({ name: 'a', image: 'netobs/netobs:dev', command: ['kubectl-netobs', 'agent'] }, ctx), { ok: true, argv: ['/self', 'agent'], path: '/usr/bin:/bb', kind: 'netobs' });
  const bb = launchFor({ name: 'a', image: 'busybox' }, ctx);
  t.true(bb.ok && bb.argv[0] === 'sh' && bb.path.startsWith('/bb'));
  const curl = launchFor({ name: 'a', image: 'curlimages/curl', args: ['-s', 'http://x'] }, ctx);
  t.true(curl.ok && curl.argv.join(' ') === 'curl -s http://x');
  const nginx = launchFor({ name: 'a', image: 'nginx:1.27' }, ctx);
  t.true(nginx.ok && nginx.argv.includes('--nginx'));
  const bad = launchFor({ name: 'a', image: 'quay.io/someone/thing:1' }, ctx);
  t.false(bad.ok);
  t.true(!bad.ok && bad.reason === 'ErrImagePull' && /no container engine/.test(bad.message));
});

test('container env resolves fieldRef, config maps, secrets and $(VAR) references', (t) => {
  const facts = { namespace: 'ns', name: 'p', uid: 'u', nodeName: 'node2', podIp: '10.200.2.5', hostIp: '10.250.0.12', serviceAccount: 'default', labels: { app: 'x' }, annotations: {} };
  const env = containerEnv(
    {
      env: [
        { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'URL', value: 'http://$(IP):80 $$(IP)' },
        { name: 'K', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      ],
      envFrom: [{ secretRef: { name: 's' }, prefix: 'S_' }],
    },
    facts,
    { configMap: () => ({ k: 'v' }), secret: () => ({ token: 't' }) },
    { PATH: '/bin' },
  );
  t.like(env, { NODE_NAME: 'node2', IP: '10.200.2.5', APP: 'x', URL: 'http://10.200.2.5:80 $(IP)', K: 'v', S_token: 't', PATH: '/bin' });
  t.throws(() => containerEnv({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'missing' } } }] }, facts, { configMap: () => ({}), secret: () => undefined }, {}), { message: /couldn't find key missing/ });
  t.is(expand('$(A)-$(B)', { A: '1' }), '1-$(B)');
  t.regex(resolvConf('shop', '10.96.0.10', 'ClusterFirst', ''), /^search shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local\nnameserver 10\.96\.0\.10\noptions ndots:5/);
});

const c = (state: object, restarts = 0, init = false) => ({ name: 'c', r: { spec: {}, state, restarts, ready: false, init } });
test('pod phase follows the containers and the restart policy', (t) => {
  t.is(podPhase('Always', [c({ waiting: { reason: 'ContainerCreating' } })], true), 'Pending');
  t.is(podPhase('Always', [c({ running: { startedAt: 'x' } })], true), 'Running');
  const done = { terminated: { exitCode: 0, reason: 'Completed', startedAt: 'x', finishedAt: 'y' } };
  const failed = { terminated: { exitCode: 1, reason: 'Error', startedAt: 'x', finishedAt: 'y' } };
  t.is(podPhase('Never', [c(done)], true), 'Succeeded');
  t.is(podPhase('Never', [c(failed)], true), 'Failed');
  t.is(podPhase('OnFailure', [c(failed)], true), 'Running');
  t.is(podPhase('Always', [c(done, 0, true)], false), 'Pending');
});

test('bind mounts are ordered so no mount hides a later source', (t) => {
  const mounts = [
    { source: '/var/run/netobs/lab/x/node1/var/run/netobs', target: '/var/run/netobs' },
    { source: '/var/run/netobs/lab/x/node1/netns', target: '/var/run/netns' },
    { source: '/data', target: '/var/run/netobs/sub' },
  ];
  const order = orderMounts(mounts).map((m) => m.target);
  t.true(order.indexOf('/var/run/netns') < order.indexOf('/var/run/netobs'));
  t.true(order.indexOf('/var/run/netobs') < order.indexOf('/var/run/netobs/sub'));
  const script = prologue({ netns: 'netobs-x-pod-1', mounts, cwd: '/work' });
  t.regex(script, /mount -t sysfs/);
  t.regex(script, /\/etc\/netns\/netobs-x-pod-1\/\*/);
  t.regex(script, /cd '\/work' \|\| exit 126\nexec "\$@"$/);
});
