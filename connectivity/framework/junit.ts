// JUnit XML for CI systems (Jenkins, GitLab, GitHub reporters): one testsuite, one testcase per
// connectivity test, the failed actions and their problems in the failure body.
import type { RunResult, TestResult } from './results.ts';

const SUITE = 'connectivity test';

/** Escapes text and attribute values; drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

function testcase(t: TestResult): string {
  const open = `    <testcase name="${xmlEscape(t.name)}" classname="${SUITE}" time="${secs(t.durationMs)}">`;
  const body: string[] = [];
  if (t.status === 'skipped') body.push(`      <skipped message="${xmlEscape(t.skipReason ?? '')}"/>`);
  if (t.status === 'failed') {
    const failed = t.actions.filter((a) => a.status === 'failed');
    const lines = [
      ...(t.error ? [t.error] : []),
      ...failed.map((a) => `${a.name}: ${a.problems.join('; ')}`),
    ];
    const message = t.error ?? `${failed.length} of ${t.actions.length} actions failed`;
    body.push(`      <failure message="${xmlEscape(message)}" type="failure">${xmlEscape(lines.join('\n'))}</failure>`);
  }
  const out = t.actions.map((a) => `${a.status === 'passed' ? 'PASS' : 'FAIL'} ${a.name} (${secs(a.durationMs)}s)`);
  if (out.length) body.push(`      <system-out>${xmlEscape(out.join('\n'))}</system-out>`);
  return body.length ? [open, ...body, '    </testcase>'].join('\n') : `${open}</testcase>`;
}

export function toJUnit(run: RunResult): string {
  const { passed, failed, skipped } = run.summary;
  const tests = passed + failed + skipped;
  const counts = `tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" time="${secs(run.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${SUITE}" ${counts}>`,
    `  <testsuite name="${SUITE}" ${counts} timestamp="${xmlEscape(run.startedAt)}">`,
    `    <properties><property name="namespace" value="${xmlEscape(run.namespace)}"/><property name="flow-validation" value="${run.flowValidation}"/></properties>`,
    ...run.tests.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
