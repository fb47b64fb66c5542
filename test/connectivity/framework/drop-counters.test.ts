// no-unexpected-packet-drops: the agents' drop counters parsed from their metrics, compared with
// the run's start, policy drops allowed; and how the runner runs the check.
import test from 'ava';
import { EXPECTED_DROP_REASONS, parseDropCounters, unexpectedDrops } from '../../../connectivity/framework/drop-counters.ts';
import { textReporter } from '../../../connectivity/framework/report.ts';
import { runTests } from '../../../connectivity/framework/runner.ts';
import type { DropCounter, TestDefinition } from '../../../connectivity/framework/types.ts';
import { env, execOf, FakeClock, FakeCluster, okResult } from '../helpers.ts';

const METRICS = `# HELP netobs_datapath_drops_total Packets dropped by the datapath
# TYPE netobs_datapath_drops_total counter
netobs_datapath_drops_total{direction="ingress",reason="POLICY_DENIED"} 12
netobs_datapath_drops_total{direction="egress",reason="INVALID_SOURCE_IP"} 3
netobs_datapath_packets_total{direction="ingress",verdict="dropped"} 15
`;

test('drop counters come from netobs_datapath_drops_total only, per direction and reason', (t) => {
  t.deepEqual(parseDropCounters('node1', METRICS), [
    { node: 'node1', direction: 'ingress', reason: 'POLICY_DENIED', packets: 12 },
    { node: 'node1', direction: 'egress', reason: 'INVALID_SOURCE_IP', packets: 3 },
  ]);
  t.deepEqual(parseDropCounters('node1', ''), []);
});

const c = (reason: string, packets: number, node = 'node1', direction = 'ingress'): DropCounter => ({ node, direction, reason, packets });

test('only drops since the start, for reasons the suite does not cause, are unexpected', (t) => {
  t.deepEqual(EXPECTED_DROP_REASONS, ['POLICY_DENIED', 'POLICY_DENY']);
  t.deepEqual(unexpectedDrops([c('POLICY_DENIED', 1), c('NO_SERVICE', 4)], [c('POLICY_DENIED', 90), c('POLICY_DENY', 7), c('NO_SERVICE', 4)]), []);
  t.deepEqual(unexpectedDrops([c('NO_SERVICE', 4)], [c('NO_SERVICE', 6), c('CT_MAP_INSERTION_FAILED', 1, 'node2', 'egress')]), [
    'node node1: 2 packets dropped ingress with NO_SERVICE',
    'node node2: 1 packet dropped egress with CT_MAP_INSERTION_FAILED',
  ]);
  t.deepEqual(unexpectedDrops([c('NO_SERVICE', 40)], [c('NO_SERVICE', 3)]), ['node node1: 3 packets dropped ingress with NO_SERVICE'], 'a restarted agent counts from zero');
});

test('the runner reads the counters at the start and at the check; without a source the check is skipped', async (t) => {
  const reads: DropCounter[][] = [[c('NO_SERVICE', 1)], [c('NO_SERVICE', 3), c('POLICY_DENY', 5)]];
  const drops = { read: async () => reads.shift() ?? [] };
  const check: TestDefinition = { name: 'no-unexpected-packet-drops', description: 'd', scenarios: [], check: ({ atStart, now }) => unexpectedDrops(atStart, now) };
  const out: string[] = [];
  const cluster = new FakeCluster(() => execOf(okResult()));
  const run = await runTests([check], { env: env(), cluster, flowValidation: 'disabled', reporter: textReporter((s) => out.push(s), { tty: false }), clock: new FakeClock(), drops });
  t.is(run.tests[0]!.status, 'failed');
  t.is(run.tests[0]!.error, 'node node1: 2 packets dropped ingress with NO_SERVICE');
  t.regex(out.join(''), /FAIL \[1\/1\] no-unexpected-packet-drops[^]*error: node node1: 2 packets dropped ingress with NO_SERVICE/);
  const none = await runTests([check], { env: env(), cluster, flowValidation: 'disabled', reporter: textReporter(() => {}, { tty: false }), clock: new FakeClock() });
  t.is(none.tests[0]!.status, 'skipped');
  const failing = { read: async () => { throw new Error('no Service netobs-system/netobs-agent-metrics'); } };
  const broken = await runTests([check], { env: env(), cluster, flowValidation: 'disabled', reporter: textReporter(() => {}, { tty: false }), clock: new FakeClock(), drops: failing });
  t.is(broken.tests[0]!.status, 'failed');
  t.regex(broken.tests[0]!.error!, /read the drop counters at the start: no Service/);
});
