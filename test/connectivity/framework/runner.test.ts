import test from 'ava';
import type { Flow } from '../../../api/types.ts';
import type { KubeObject } from '../../../connectivity/framework/cluster.ts';
import { deniedBy } from '../../../connectivity/framework/expect.ts';
import type { FlowQuery, FlowSource } from '../../../connectivity/framework/flow-source.ts';
import { textReporter } from '../../../connectivity/framework/report.ts';
import { runTests } from '../../../connectivity/framework/runner.ts';
import type { Action, Scenario, TestDefinition } from '../../../connectivity/framework/types.ts';
import { action, env, execOf, FakeCluster, FakeClock, okResult, policyDrop, tcpConnection, timeoutResult } from '../helpers.ts';

const C = '10.0.1.10';
const E = '10.0.1.20';
const POLICY: KubeObject = { apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: { name: 'echo-deny', namespace: 'netobs-test' } };

const scenario = (a: Action = action('http')): Scenario => ({ name: 'pod-to-pod', actions: () => [a] });
const plain: TestDefinition = { name: 'pod-to-pod', description: 'plain', scenarios: [scenario()] };
const denied: TestDefinition = {
  name: 'echo-deny', description: 'policy', scenarios: [scenario()], policies: () => [POLICY], expect: () => deniedBy('echo-deny'),
};

/** A network where the policy, once applied, drops the connection; flows follow the probes. */
function network(opts: { ignorePolicy?: boolean; delayedPolicy?: number } = {}) {
  let seen = 0;
  const flows: Flow[] = [];
  const cluster = new FakeCluster((_pod, _cmd, live) => {
    seen++;
    const blocked = live.has('echo-deny') && !opts.ignorePolicy && seen > (opts.delayedPolicy ?? 0);
    const port = 40000 + seen;
    flows.push(...(blocked ? [policyDrop(C, port, E, 8080, 'echo-deny')] : tcpConnection(C, port, E, 8080)));
    return execOf(blocked ? timeoutResult({ localPort: port }) : okResult({ localPort: port }));
  });
  const queries: FlowQuery[] = [];
  const source: FlowSource = { getFlows: async (q) => { queries.push(q); return flows; } };
  return { cluster, source, queries };
}

function capture() {
  const out: string[] = [];
  return { out, reporter: textReporter((s) => out.push(s), { tty: false }) };
}

test('passing run: policies applied and removed, flows validated, one line per test', async (t) => {
  const { cluster, source, queries } = network();
  const { out, reporter } = capture();
  const run = await runTests([plain, denied], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter, clock: new FakeClock() });
  t.deepEqual(run.summary, { passed: 2, failed: 0, skipped: 0, actions: { passed: 2, failed: 0 } });
  t.deepEqual(cluster.applied, [[POLICY]]);
  t.deepEqual(cluster.deleted, [[POLICY]]);
  t.is(cluster.live.size, 0);
  const [first, second] = run.tests;
  t.is(first!.actions[0]!.flows.length, 5);
  t.is(second!.actions[0]!.flows.length, 1);
  t.is(second!.actions[0]!.flowValidation, 'passed');
  t.deepEqual(cluster.execs[0]!.command.slice(0, 5), ['kubectl-netobs', 'probe', 'http', '--target', '10.0.1.20:8080']);
  t.deepEqual(cluster.execs[0]!.pod, { namespace: 'netobs-test', name: 'client-aaa' });
  t.deepEqual(queries[0]!.whitelist[0], { source_ip: [C], destination_ip: [E] });
  t.is(out.length, 3);
  t.regex(out[0]!, /^PASS \[1\/2\] pod-to-pod \(1 action, /);
  t.regex(out[1]!, /^PASS \[2\/2\] echo-deny /);
  t.is(out[2], '2 passed, 0 failed, 0 skipped\n');
});

test('failing path: a policy that does not drop fails the test with probe output and flows', async (t) => {
  const { cluster, source } = network({ ignorePolicy: true });
  const { out, reporter } = capture();
  const clock = new FakeClock();
  const run = await runTests([denied, plain], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter, clock, policySettleMs: 3000, retryIntervalMs: 1000 });
  t.deepEqual(run.summary, { passed: 1, failed: 1, skipped: 0, actions: { passed: 1, failed: 1 } });
  const a = run.tests[0]!.actions[0]!;
  t.is(a.status, 'failed');
  t.true(a.attempts > 1, 'retried while the policy was settling');
  t.deepEqual(a.problems, ['expected a drop, but the probe succeeded', 'flows: no DROPPED flow for the request (3 FORWARDED)']);
  const text = out.join('');
  t.regex(text, /FAIL \[1\/2\] echo-deny \(1 of 1 actions failed/);
  t.regex(text, /✘ pod-to-pod\/client->echo-same-node \(http\) \(http 10\.0\.1\.20:8080\): expected drop \(POLICY_DENIED by echo-deny\)/);
  t.regex(text, /flows \(5\):\n {8}\S+: 10\.0\.1\.10:\d+ -> 10\.0\.1\.20:8080 FORWARDED \(TCP Flags: SYN\)/);
  t.regex(text, /1 passed, 1 failed, 0 skipped\n$/);
  t.deepEqual(cluster.deleted, [[POLICY]], 'policies removed even though the test failed');
});

test('policy settling: an action that still passes right after apply is retried until it drops', async (t) => {
  const { cluster, source } = network({ delayedPolicy: 2 });
  const run = await runTests([denied], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter: capture().reporter, clock: new FakeClock() });
  t.deepEqual(run.tests[0]!.actions[0]!.problems, []);
  t.is(run.summary.passed, 1);
  t.is(run.tests[0]!.actions[0]!.attempts, 3);
});

test('flow validation modes: missing flows fail in strict, warn in warning, are not read when disabled', async (t) => {
  const cluster = () => new FakeCluster(() => execOf(okResult()));
  const empty = () => { let n = 0; return { source: { getFlows: async () => { n++; return []; } } as FlowSource, calls: () => n }; };
  const base = { env: env(), reporter: capture().reporter, flowWaitMs: 2000, retryIntervalMs: 500 };

  const s = empty();
  const strict = await runTests([plain], { ...base, cluster: cluster(), flows: s.source, flowValidation: 'strict', clock: new FakeClock() });
  t.is(strict.tests[0]!.status, 'failed');
  t.deepEqual(strict.tests[0]!.actions[0]!.problems, ['flows: no FORWARDED SYN from the client']);
  t.is(s.calls(), 5, 'polled until the flow wait was over');

  const warning = await runTests([plain], { ...base, cluster: cluster(), flows: empty().source, flowValidation: 'warning', clock: new FakeClock() });
  t.is(warning.tests[0]!.status, 'passed');
  t.deepEqual(warning.tests[0]!.actions[0]!.warnings, ['flows: no FORWARDED SYN from the client']);
  t.is(warning.tests[0]!.actions[0]!.flowValidation, 'warning');

  const d = empty();
  const disabled = await runTests([plain], { ...base, cluster: cluster(), flows: d.source, flowValidation: 'disabled', clock: new FakeClock() });
  t.is(disabled.tests[0]!.status, 'passed');
  t.is(d.calls(), 0);
  t.is(disabled.tests[0]!.actions[0]!.flowValidation, 'disabled');
});

test('a flow source that fails is a flow problem, not a crash', async (t) => {
  const cluster = new FakeCluster(() => execOf(okResult()));
  const source: FlowSource = { getFlows: async () => { throw new Error('relay unavailable'); } };
  const run = await runTests([plain], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter: capture().reporter, clock: new FakeClock(), flowWaitMs: 0 });
  t.deepEqual(run.tests[0]!.actions[0]!.problems, ['flows: cannot read flows: relay unavailable']);
});

test('probe that cannot run, or prints garbage, fails the action with the reason', async (t) => {
  const throwing = new FakeCluster(() => { throw new Error('pods "client-aaa" not found'); });
  let run = await runTests([plain], { env: env(), cluster: throwing, flowValidation: 'disabled', reporter: capture().reporter, clock: new FakeClock() });
  t.deepEqual(run.tests[0]!.actions[0]!.problems, ['probe could not run in netobs-test/client-aaa: pods "client-aaa" not found']);

  const garbage = new FakeCluster(() => ({ stdout: '', stderr: 'exec: "kubectl-netobs": executable file not found in $PATH', exitCode: 127 }));
  const { out, reporter } = capture();
  run = await runTests([plain], { env: env(), cluster: garbage, flowValidation: 'disabled', reporter, clock: new FakeClock() });
  t.deepEqual(run.tests[0]!.actions[0]!.problems, ['probe printed no result (exit code 127)']);
  t.regex(out.join(''), /probe exit code 127, stderr: exec: "kubectl-netobs": executable file not found/);
});

test('skips: by the test, by every scenario, and after an interrupt; policy apply failure still cleans up', async (t) => {
  const cluster = new FakeCluster(() => execOf(okResult()), true);
  const skipByParams: TestDefinition = { ...plain, name: 'world', skip: (p) => (p.externalTarget ? undefined : 'no --external-target') };
  const skipByScenario: TestDefinition = { ...plain, name: 'other-node', scenarios: [{ name: 'pod-to-pod-other-node', actions: () => ({ skip: 'needs 2 nodes' }) }] };
  const run = await runTests([skipByParams, skipByScenario, denied], { env: env(), cluster, flowValidation: 'disabled', reporter: capture().reporter, clock: new FakeClock() });
  t.deepEqual(run.tests.map((r) => [r.status, r.skipReason ?? r.error]), [
    ['skipped', 'no --external-target'],
    ['skipped', 'pod-to-pod-other-node: needs 2 nodes'],
    ['failed', 'echo-deny: admission webhook denied the request'],
  ]);
  t.deepEqual(run.summary, { passed: 0, failed: 1, skipped: 2, actions: { passed: 0, failed: 0 } });
  t.deepEqual(cluster.deleted, [[POLICY]]);

  const ac = new AbortController();
  ac.abort();
  const interrupted = await runTests([plain], { env: env(), cluster, flowValidation: 'disabled', reporter: capture().reporter, clock: new FakeClock(), signal: ac.signal });
  t.is(interrupted.tests[0]!.skipReason, 'interrupted');
});

test('TTY progress rewrites the line in place', async (t) => {
  const out: string[] = [];
  const cluster = new FakeCluster(() => execOf(okResult()));
  await runTests([plain], { env: env(), cluster, flowValidation: 'disabled', reporter: textReporter((s) => out.push(s), { tty: true }), clock: new FakeClock() });
  t.is(out[0], '\r\x1b[2K.... [1/1] pod-to-pod');
  t.is(out[1], '\r\x1b[2K.... [1/1] pod-to-pod (1 action)');
  t.regex(out[2]!, /^\r\x1b\[2KPASS \[1\/1\] pod-to-pod \(1 action, 0\.0s\)\n$/);
});

// The failure path is fast: a drop that settling cannot undo is neither retried nor waited on.
const sabotaged = (policy: string) => {
  let seen = 0;
  const flows: Flow[] = [];
  const cluster = new FakeCluster(() => {
    const port = 41000 + ++seen;
    flows.push(policyDrop(C, port, E, 8080, policy));
    return execOf(timeoutResult({ localPort: port }));
  });
  let queries = 0;
  const source: FlowSource = { getFlows: async () => { queries++; return flows; } };
  return { cluster, source, queries: () => queries };
};
const allowed: TestDefinition = { name: 'allowed', description: 'a policy that allows', scenarios: [scenario()], policies: () => [{ ...POLICY, metadata: { name: 'allow', namespace: 'netobs-test' } }] };

test('a drop by a policy the run did not touch is final: no retry while settling, no wait for more flows', async (t) => {
  const { cluster, source, queries } = sabotaged('someone-elses-deny');
  const clock = new FakeClock();
  const run = await runTests([allowed], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter: capture().reporter, clock });
  const a = run.tests[0]!.actions[0]!;
  t.is(a.status, 'failed');
  t.is(a.attempts, 1);
  t.true(a.problems.some((p) => p === 'flows: unexpected DROPPED flow (POLICY_DENIED by someone-elses-deny)'), a.problems.join('; '));
  t.is(queries(), 2, 'one look to decide not to retry, one to validate');
  t.true(clock.t - 1_000_000 < 1000, 'no flow wait');
});

test('a drop by a policy the run just applied or removed may be stale: retried while settling', async (t) => {
  const { cluster, source } = sabotaged('allow');
  const run = await runTests([allowed], { env: env(), cluster, flows: source, flowValidation: 'strict', reporter: capture().reporter, clock: new FakeClock(), policySettleMs: 3000, retryIntervalMs: 1000 });
  t.true(run.tests[0]!.actions[0]!.attempts > 1);
});

test('tests without policies run side by side, a few probes at a time, reported in order', async (t) => {
  let active = 0;
  let most = 0;
  const cluster = new FakeCluster(async () => {
    most = Math.max(most, ++active);
    await new Promise((r) => setTimeout(r, 20));
    active--;
    return execOf(okResult());
  });
  const two = (name: string): TestDefinition => ({ name, description: name, scenarios: [{ name, actions: () => [action('http'), action('tcp'), action('udp')] }] });
  const { out, reporter } = capture();
  const run = await runTests([two('a'), two('b'), two('c'), denied], { env: env(), cluster, flowValidation: 'disabled', reporter, clock: new FakeClock(), concurrency: 4 });
  t.is(most, 4, 'never more than the concurrency, and that many at once');
  t.deepEqual(run.tests.map((x) => x.name), ['a', 'b', 'c', 'echo-deny']);
  t.deepEqual(out.slice(0, 4).map((l) => l.split(' (')[0]), ['PASS [1/4] a', 'PASS [2/4] b', 'PASS [3/4] c', 'FAIL [4/4] echo-deny']);
});

test('a skipped test with policies is not asked for them (they may need what it lacks)', async (t) => {
  const needsIp: TestDefinition = {
    name: 'egress-deny-cidr', description: 'd', scenarios: [scenario()], skip: () => 'no outside IP',
    policies: () => { throw new Error('policies of a skipped test'); },
  };
  const cluster = new FakeCluster(() => execOf(okResult()));
  const run = await runTests([plain, needsIp, plain], { env: env(), cluster, flowValidation: 'disabled', reporter: capture().reporter, clock: new FakeClock() });
  t.deepEqual(run.tests.map((x) => x.status), ['passed', 'skipped', 'passed']);
});
