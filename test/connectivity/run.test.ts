import test from 'ava';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Flow } from '../../api/types.ts';
import type { PodInfo, PodRef, ServiceInfo } from '../../connectivity/framework/cluster.ts';
import type { RunResult } from '../../connectivity/framework/results.ts';
import type { ProbeResult } from '../../connectivity/framework/types.ts';
import { connectivityTest, type ConnectivityOptions } from '../../connectivity/run.ts';
import { execOf, FakeClock, FakeCluster, policyDrop, tcpConnection, timeoutResult, topology } from './helpers.ts';
import { parseXml } from './xml.ts';

const OPTS: ConnectivityOptions = {
  namespace: 'netobs-test', image: 'netobs/netobs:test', binary: 'kubectl-netobs', tests: [], list: false, cleanup: false, keep: false,
  json: false, timeoutMs: 60_000, probeTimeoutMs: 2000, externalPort: 80, flowValidation: 'strict', verbose: false, agentNamespace: 'netobs-system',
};

/**
 * A cluster that behaves like the topology fixture: every HTTP probe to an echo pod succeeds
 * and produces its TCP flows, unless `blocked(src, dst)` says a policy drops it.
 */
function cluster(blocked: (src: string, dstIP: string, live: ReadonlySet<string>) => string | undefined = () => undefined) {
  const topo = topology();
  const pods: PodInfo[] = [topo.client, topo.client2, topo.client3!, topo.echoSameNode, topo.echoOtherNode!, ...topo.hostPods];
  const flows: Flow[] = [];
  let port = 40000;
  const c = new FakeCluster((pod: PodRef, cmd: string[], live) => {
    const src = pods.find((p) => p.name === pod.name)!;
    const target = cmd[cmd.indexOf('--target') + 1]!;
    const dstIP = target.split(':')[0]!;
    const dst = pods.find((p) => p.ip === dstIP) ?? pods.find((p) => p.name.startsWith('echo-same-node'))!;
    const localPort = ++port;
    const policy = blocked(src.labels.name!, dst.ip, live);
    if (policy) {
      flows.push(policyDrop(src.ip, localPort, dst.ip, 8080, policy));
      return execOf(timeoutResult({ kind: 'http', target, localAddress: src.ip, localPort }));
    }
    flows.push(...tcpConnection(src.ip, localPort, dstIP, 8080));
    const r: ProbeResult = { kind: 'http', target, ok: true, durationMs: 2, localAddress: src.ip, localPort, http: { status: 200, bodyBytes: 9 } };
    return execOf(r);
  });
  const waited: string[] = [];
  c.waitForPodsReady = async (_ns, selector, count) => { waited.push(`${selector.name}x${count}`); return []; };
  c.listPods = async () => pods;
  c.listServices = async (ns): Promise<ServiceInfo[]> => (ns === 'kube-system' ? [topo.clusterDNS!] : [topo.echoSameNodeService, topo.echoOtherNodeService!]);
  return { c, flows, waited };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), tty: false, clock: new FakeClock() } };
}

test('--list prints the selected tests without touching the cluster', async (t) => {
  const { c } = cluster();
  const { out, deps } = io();
  t.is(await connectivityTest({ ...OPTS, list: true, tests: ['deny', '!ingress'] }, { cluster: c, ...deps }), 0);
  t.deepEqual(out.map((l) => l.split(/\s+/)[0]), ['egress-deny-cidr', 'deny-over-allow']);
  t.deepEqual(c.applied, []);
  const j = io();
  await connectivityTest({ ...OPTS, list: true, json: true, tests: ['^pod-to-pod$'] }, { cluster: c, ...j.deps });
  t.deepEqual(JSON.parse(j.out.join('')), [{ name: 'pod-to-pod', description: 'HTTP from client pods to echo pods on the same node and on another node' }]);
});

test('a full run: deploys, waits, runs, writes JSON and JUnit, removes the namespace', async (t) => {
  const { c, flows, waited } = cluster();
  const { out, err, deps } = io();
  const dir = await mkdtemp(path.join(tmpdir(), 'junit-'));
  const junitFile = path.join(dir, 'junit.xml');
  const code = await connectivityTest({ ...OPTS, tests: ['^pod-to-pod$', 'allow-by-label'], json: true, junitFile }, { cluster: c, flows: async () => ({ getFlows: async () => flows }), ...deps });
  t.is(code, 1, 'allow-by-label fails: this fake network ignores policies');
  t.deepEqual(c.applied[0]!.map((o) => o.kind), ['Namespace', 'Deployment', 'Deployment', 'Deployment', 'Service', 'Deployment', 'Deployment', 'Service', 'DaemonSet']);
  t.deepEqual(waited, ['clientx1', 'client2x1', 'echo-same-nodex1', 'client3x1', 'echo-other-nodex1', 'host-netnsx2']);
  t.deepEqual(c.deleted.at(-1)!.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/netobs-test']);
  const run = JSON.parse(out.join('')) as RunResult;
  t.deepEqual(run.tests.map((x) => [x.name, x.status]), [['pod-to-pod', 'passed'], ['allow-by-label', 'failed']]);
  t.regex(err.join(''), /FAIL \[2\/2\] allow-by-label \(2 of 4 actions failed/);
  t.regex(err.join(''), /1 passed, 1 failed, 0 skipped\n$/);
  const xml = parseXml(await readFile(junitFile, 'utf8'));
  t.like(xml.attrs, { tests: '2', failures: '1' });
});

test('policies that do drop: the policy tests pass and the drops are the evidence', async (t) => {
  const echoIPs = new Set(['10.0.1.20', '10.0.2.21']);
  const { c, flows } = cluster((src, dst, live) => (live.has('echo-ingress-from-client') && src === 'client2' && echoIPs.has(dst) ? 'echo-ingress-from-client' : undefined));
  const { out, deps } = io();
  const code = await connectivityTest({ ...OPTS, tests: ['allow-by-label'] }, { cluster: c, flows: async () => ({ getFlows: async () => flows }), ...deps });
  t.is(code, 0, out.join(''));
  t.regex(out.join(''), /^PASS \[1\/1\] allow-by-label \(4 actions/);
  t.is(out.at(-1), '1 passed, 0 failed, 0 skipped\n');
});

test('--keep leaves the namespace; --cleanup removes it without running anything', async (t) => {
  const { c } = cluster();
  const { err, deps } = io();
  await connectivityTest({ ...OPTS, tests: ['^pod-to-pod$'], keep: true, flowValidation: 'disabled' }, { cluster: c, ...deps });
  t.deepEqual(c.deleted, []);
  t.regex(err.join(''), /kept namespace netobs-test/);
  const k = cluster();
  t.is(await connectivityTest({ ...OPTS, cleanup: true }, { cluster: k.c, ...io().deps }), 0);
  t.deepEqual(k.c.applied, []);
  t.deepEqual(k.c.deleted.map((d) => d.map((o) => o.kind)), [['Namespace']]);
});

test('a failure before the tests (pods never ready) still removes the namespace', async (t) => {
  const { c } = cluster();
  c.waitForPodsReady = async () => { throw new Error('timed out waiting for pods name=client'); };
  await t.throwsAsync(connectivityTest({ ...OPTS }, { cluster: c, ...io().deps }), { message: /timed out waiting/ });
  t.is(c.deleted.length, 1);
});

test('Ctrl-C: remaining tests are skipped as interrupted and the namespace is removed', async (t) => {
  const { c } = cluster();
  const ac = new AbortController();
  const onExec = c.onExec;
  c.onExec = (p, cmd, live) => { ac.abort(); return onExec(p, cmd, live); };
  const { out, deps } = io();
  const code = await connectivityTest({ ...OPTS, tests: ['^pod-to-pod$', 'pod-to-service'], flowValidation: 'disabled' }, { cluster: c, signal: ac.signal, ...deps });
  t.is(code, 1);
  t.regex(out.join(''), /FAIL \[1\/2\] pod-to-pod/);
  t.regex(out.join(''), /error: interrupted/);
  t.regex(out.join(''), /SKIP \[2\/2\] pod-to-service: interrupted/);
  t.is(c.deleted.length, 1);
});

test('no test selected is a user error', async (t) => {
  await t.throwsAsync(connectivityTest({ ...OPTS, tests: ['nothing'] }, { cluster: cluster().c, ...io().deps }), { message: /no test matches --test nothing/ });
});
