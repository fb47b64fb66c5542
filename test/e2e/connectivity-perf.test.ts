// connectivity perf on a 2-node lab with netobs installed, through the built executable: a short
// run measures the same-node and the cross-node pair, and every number is a real, positive one.
import test from 'ava';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { labDown, labUp, type LabInfo } from '../../lab/index.ts';

const LAB = 'e2e-perf';
const binary = path.resolve(import.meta.dirname, '../../dist/kubectl-netobs');
let lab: LabInfo;

test.before(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'npm run build' before the tests`);
  await labDown(LAB).catch(() => {});
  lab = await labUp({ name: LAB, nodes: 2 });
});

test.after.always(async () => {
  await labDown(LAB).catch(() => {});
});

test('perf -o json: throughput and latency, same node and cross node, all positive', (t) => {
  const r = spawnSync(binary, ['connectivity', 'perf', '--duration', '1s', '-o', 'json'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: lab.kubeconfig }, timeout: 400_000 });
  t.is(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { results: { scenario: string; sourceNode: string; destinationNode: string; result: { ok: boolean; throughput: Record<string, number>; latency: Record<string, number> } }[] };
  t.deepEqual(doc.results.map((x) => x.scenario), ['same-node', 'cross-node']);
  const [same, cross] = doc.results;
  t.is(same!.sourceNode, same!.destinationNode);
  t.not(cross!.sourceNode, cross!.destinationNode);
  for (const x of doc.results) {
    t.true(x.result.ok, x.scenario);
    for (const k of ['bytes', 'seconds', 'bitsPerSecond']) t.true(x.result.throughput[k]! > 0, `${x.scenario} throughput.${k}`);
    for (const k of ['samples', 'minUs', 'p50Us', 'p90Us', 'p99Us', 'maxUs', 'meanUs']) t.true(x.result.latency[k]! > 0, `${x.scenario} latency.${k}`);
  }
  t.regex(r.stderr, /measuring same-node: client \(node\d\) -> echo-same-node/);
});
