import test from 'ava';
import { deniedBy, success } from '../../../connectivity/framework/expect.ts';
import { toJUnit, xmlEscape } from '../../../connectivity/framework/junit.ts';
import { summarize, summaryLine, testStatus, toJSON, type ActionResult, type RunResult, type TestResult } from '../../../connectivity/framework/results.ts';
import { childrenNamed, parseXml } from '../xml.ts';
import { okResult, tcpConnection } from '../helpers.ts';

const act = (name: string, status: 'passed' | 'failed', problems: string[] = []): ActionResult => ({
  name, scenario: 'pod-to-pod', source: 'client', destination: 'echo-same-node', probe: 'http', target: '10.0.1.20:8080',
  expected: success(), status, problems, warnings: [], durationMs: 120, attempts: 1, result: okResult(),
  flowValidation: status === 'passed' ? 'passed' : 'failed', flows: tcpConnection('10.0.1.10', 40000, '10.0.1.20', 8080),
});

const tests: TestResult[] = [
  { name: 'pod-to-pod', description: 'd', status: 'passed', durationMs: 1500, actions: [act('a1', 'passed'), act('a2', 'passed')], skippedScenarios: [] },
  {
    name: 'all-ingress-deny', description: 'd', status: 'failed', durationMs: 2500, skippedScenarios: [],
    actions: [act('client -> echo <&> "x"', 'failed', ['expected a drop, but the probe succeeded']), { ...act('ok', 'passed'), expected: deniedBy('p') }],
  },
  { name: 'pod-to-world', description: 'd', status: 'skipped', skipReason: 'no --external-target & no world address', durationMs: 0, actions: [], skippedScenarios: [] },
];
const run: RunResult = { namespace: 'netobs-test', flowValidation: 'strict', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 4000, summary: summarize(tests), tests };

test('summary counts tests and actions', (t) => {
  t.deepEqual(run.summary, { passed: 1, failed: 1, skipped: 1, actions: { passed: 3, failed: 1 } });
  t.is(summaryLine(run.summary), '1 passed, 1 failed, 1 skipped');
  t.is(testStatus([act('x', 'passed')], undefined), 'passed');
  t.is(testStatus([act('x', 'passed')], 'apply failed'), 'failed');
  t.is(testStatus([act('x', 'passed'), act('y', 'failed')], undefined), 'failed');
  t.is(testStatus([], undefined), 'passed');
});

test('JSON round-trips the whole result, flows included', (t) => {
  const back = JSON.parse(toJSON(run)) as RunResult;
  t.deepEqual(back, run);
  t.is(back.tests[1]!.actions[0]!.flows[0]!.l4?.TCP?.flags?.SYN, true);
  t.deepEqual(back.tests[1]!.actions[1]!.expected, { outcome: 'drop', reasons: ['POLICY_DENIED'], policy: 'p' });
});

test('JUnit parses back with counts, failures, skips and escaped text', (t) => {
  const root = parseXml(toJUnit(run));
  t.is(root.name, 'testsuites');
  t.like(root.attrs, { tests: '3', failures: '1', skipped: '1', errors: '0', time: '4.000' });
  const [suite] = childrenNamed(root, 'testsuite');
  t.like(suite!.attrs, { name: 'connectivity test', tests: '3', timestamp: '2026-01-01T00:00:00.000Z' });
  const cases = childrenNamed(suite!, 'testcase');
  t.deepEqual(cases.map((c) => [c.attrs.name, c.attrs.time]), [['pod-to-pod', '1.500'], ['all-ingress-deny', '2.500'], ['pod-to-world', '0.000']]);
  t.deepEqual(childrenNamed(cases[0]!, 'failure'), []);
  const [failure] = childrenNamed(cases[1]!, 'failure');
  t.is(failure!.attrs.message, '1 of 2 actions failed');
  t.is(failure!.text, 'client -> echo <&> "x": expected a drop, but the probe succeeded');
  t.is(childrenNamed(cases[2]!, 'skipped')[0]!.attrs.message, 'no --external-target & no world address');
  t.is(childrenNamed(cases[0]!, 'system-out')[0]!.text, 'PASS a1 (0.120s)\nPASS a2 (0.120s)');
  const props = childrenNamed(childrenNamed(suite!, 'properties')[0]!, 'property');
  t.deepEqual(props.map((p) => [p.attrs.name, p.attrs.value]), [['namespace', 'netobs-test'], ['flow-validation', 'strict']]);
});

test('a test error is the failure message', (t) => {
  const failed: TestResult = { name: 'x', description: '', status: 'failed', error: 'apply: forbidden', durationMs: 1, actions: [], skippedScenarios: [] };
  const xml = toJUnit({ ...run, tests: [failed], summary: summarize([failed]) });
  const f = childrenNamed(childrenNamed(childrenNamed(parseXml(xml), 'testsuite')[0]!, 'testcase')[0]!, 'failure')[0]!;
  t.is(f.attrs.message, 'apply: forbidden');
});

test('xml escaping drops characters XML cannot carry', (t) => {
  t.is(xmlEscape('a\u0000b\u001b[31mc<'), 'ab[31mc&lt;');
  t.is(xmlEscape(`'"&`), '&apos;&quot;&amp;');
});

test('the XML reader used above refuses malformed documents', (t) => {
  t.throws(() => parseXml('<a><b></a>'), { message: /mismatched/ });
  t.throws(() => parseXml('<a>x & y</a>'), { message: /bad character/ });
  t.throws(() => parseXml('<a x="1">'), { message: /unclosed/ });
});
