// connectivity perf with a fake cluster: deploys, measures same node and cross node from the
// client pod, prints a table or JSON, removes the namespace; a failed pair is a one-line error.
import test from 'ava';
import { connectivityPerf, perfCommand, type PerfOptions } from '../../connectivity/perf.ts';
import type { PerfResult } from '../../connectivity/probe/perf.ts';
import { FakeCluster, pod, topology } from './helpers.ts';

const O: PerfOptions = { namespace: 'netobs-test', image: 'netobs/netobs:t', binary: 'kubectl-netobs', durationMs: 1000, timeoutMs: 10_000, keep: false, json: false };
const good = (target: string): PerfResult => ({
  target, ok: true, throughput: { bytes: 125_000_000, seconds: 1, bitsPerSecond: 1e9 },
  latency: { samples: 900, lost: 0, minUs: 40, p50Us: 55.5, p90Us: 70, p99Us: 120, maxUs: 300, meanUs: 60 },
});

class PerfCluster extends FakeCluster {
  override async listServices() {
    const t = topology();
    return [t.echoSameNodeService, t.echoOtherNodeService!];
  }
  override async listPods(_ns: string, selector?: Record<string, string>) {
    const all = [
      pod('client-aaa', '10.0.1.10', 'node-1', { name: 'client', kind: 'client' }),
      pod('client2-bbb', '10.0.1.11', 'node-1', { name: 'client2', kind: 'client' }),
      pod('client3-ccc', '10.0.2.12', 'node-2', { name: 'client3', kind: 'client' }),
      pod('echo-same-node-ddd', '10.0.1.20', 'node-1', { name: 'echo-same-node', kind: 'echo' }),
      pod('echo-other-node-eee', '10.0.2.21', 'node-2', { name: 'echo-other-node', kind: 'echo' }),
      pod('host-netns-1', '192.168.0.1', 'node-1', { name: 'host-netns' }, true),
    ];
    return all.filter((p) => Object.entries(selector ?? {}).every(([k, v]) => p.labels[k] === v));
  }
}

async function run(o: Partial<PerfOptions>, answer: (target: string) => PerfResult) {
  let out = '';
  const cluster = new PerfCluster((_p, cmd) => {
    const r = answer(cmd[cmd.indexOf('--target') + 1]!);
    return { stdout: JSON.stringify(r) + '\n', stderr: '', exitCode: r.ok ? 0 : 1 };
  });
  const p = connectivityPerf({ ...O, ...o }, { cluster, out: (s) => (out += s), err: () => {} });
  return { p, cluster, out: () => out };
}

test('both pairs measured from the client, in a table; the namespace goes afterwards', async (t) => {
  const { p, cluster, out } = await run({}, good);
  t.is(await p.catch((e: Error) => e.message), 0);
  t.deepEqual(cluster.execs.map((e) => e.command), [perfCommand('kubectl-netobs', '10.0.1.20:8080', 1000), perfCommand('kubectl-netobs', '10.0.2.21:8080', 1000)]);
  t.true(cluster.execs.every((e) => e.pod.name === 'client-aaa'));
  t.regex(out(), /^SCENARIO +SOURCE +DESTINATION +THROUGHPUT \(Mbit\/s\)/);
  t.regex(out(), /same-node +client \(node-1\) +echo-same-node \(node-1\) +1000\.0 +55\.5 +70 +120 +900/);
  t.regex(out(), /cross-node +client \(node-1\) +echo-other-node \(node-2\) +1000\.0/);
  t.true(cluster.deleted.some((d) => d.some((o) => o.kind === 'Namespace')));
});

test('-o json carries every number; a failed pair fails the command with one line', async (t) => {
  const j = await run({ json: true }, good);
  await j.p;
  const doc = JSON.parse(j.out()) as { results: { scenario: string; result: PerfResult }[] };
  t.deepEqual(doc.results.map((r) => r.scenario), ['same-node', 'cross-node']);
  t.is(doc.results[1]!.result.latency!.p99Us, 120);
  const bad = await run({}, (target) => (target.startsWith('10.0.2.') ? { target, ok: false, error: 'no data received' } : good(target)));
  await t.throwsAsync(bad.p, { message: 'connectivity perf: cross-node: no data received' });
  t.regex(bad.out(), /cross-node .*failed: no data received/);
  t.true(bad.cluster.deleted.length > 0, 'cleaned up after a failure too');
});
