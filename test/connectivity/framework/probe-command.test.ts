import test from 'ava';
import { parseDuration } from '../../../connectivity/framework/duration.ts';
import { parseProbeOutput, probeCommand } from '../../../connectivity/framework/probe-command.ts';
import { execOf, okResult } from '../helpers.ts';

test('probe command line carries every field of the spec', (t) => {
  t.deepEqual(probeCommand('kubectl-netobs', { kind: 'http', target: 'echo:8080', timeoutMs: 2000, method: 'POST', path: '/x' }), [
    'kubectl-netobs', 'probe', 'http', '--target', 'echo:8080', '--timeout', '2000ms', '-o', 'json', '--method', 'POST', '--path', '/x',
  ]);
  t.deepEqual(probeCommand('/usr/bin/kubectl-netobs', { kind: 'dns', target: 'echo.netobs.test', timeoutMs: 500, server: '10.0.0.1:53', qtype: 'A' }).slice(5), [
    '--timeout', '500ms', '-o', 'json', '--server', '10.0.0.1:53', '--qtype', 'A',
  ]);
});

test('probe output: the last JSON line is the result', (t) => {
  const r = okResult();
  t.deepEqual(parseProbeOutput({ ...execOf(r), stdout: `warning: something\n${JSON.stringify(r)}\n` }), { result: r });
  t.deepEqual(parseProbeOutput({ stdout: '', stderr: 'boom', exitCode: 2 }), { invalid: 'probe printed no result (exit code 2)' });
  t.deepEqual(parseProbeOutput({ stdout: 'Usage: ...', stderr: '', exitCode: 1 }), { invalid: 'probe printed something other than JSON (exit code 1): Usage: ...' });
  t.regex((parseProbeOutput({ stdout: '{"ok":"yes"}', stderr: '', exitCode: 0 }) as { invalid: string }).invalid, /unexpected shape/);
});

const durations: [string, number][] = [['2s', 2000], ['500ms', 500], ['1m30s', 90_000], ['1.5s', 1500], ['3', 3000], ['1h', 3_600_000]];
for (const [text, ms] of durations) test(`duration ${text}`, (t) => t.is(parseDuration(text), ms));
for (const bad of ['', 's', '2 s', '2x', '2s junk', '-1s']) {
  test(`bad duration ${JSON.stringify(bad)}`, (t) => { t.throws(() => parseDuration(bad), { message: /invalid duration/ }); });
}
