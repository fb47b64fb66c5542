// What the terminal shows: a live line per test (rewritten in place on a TTY, printed once when
// the test ends otherwise), details only for failures, and the closing summary line.
import { describeExpectation } from './expect.ts';
import { flowLine } from './flow-format.ts';
import { summaryLine, type ActionResult, type RunResult, type TestResult } from './results.ts';

export interface Reporter {
  testStart(index: number, total: number, name: string): void;
  actionDone(index: number, total: number, name: string, action: ActionResult): void;
  testDone(index: number, total: number, result: TestResult): void;
  runDone(run: RunResult): void;
}

const MARK = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;
const CLEAR = '\r\x1b[2K';
const MAX_FLOWS = 20;

export function testLine(index: number, total: number, r: TestResult): string {
  const pos = `[${index + 1}/${total}]`;
  if (r.status === 'skipped') return `${MARK.skipped} ${pos} ${r.name}: ${r.skipReason ?? 'skipped'}`;
  const n = r.actions.length;
  const failed = r.actions.filter((a) => a.status === 'failed').length;
  const counts = failed ? `${failed} of ${n} actions failed` : `${n} action${n === 1 ? '' : 's'}`;
  return `${MARK[r.status]} ${pos} ${r.name} (${counts}, ${(r.durationMs / 1000).toFixed(1)}s)`;
}

/** The long form of a failed test: each failed action with its probe output and its flows. */
export function failureDetails(r: TestResult, verbose = false): string[] {
  const out: string[] = [];
  if (r.error) out.push(`  error: ${r.error}`);
  for (const a of r.actions) {
    if (a.status !== 'failed') continue;
    out.push(`  ✘ ${a.name} (${a.probe} ${a.target}): expected ${describeExpectation(a.expected)}`);
    for (const p of a.problems) out.push(`      ${p}`);
    if (a.output) {
      const stderr = a.output.stderr.trim();
      out.push(`      probe exit code ${a.output.exitCode}${stderr ? `, stderr: ${stderr.split('\n').slice(0, verbose ? 50 : 3).join(' | ')}` : ''}`);
      if (verbose && a.output.stdout.trim()) out.push(`      probe output: ${a.output.stdout.trim()}`);
    }
    if (a.flows.length) {
      out.push(`      flows (${a.flows.length}):`);
      for (const f of a.flows.slice(-MAX_FLOWS)) out.push(`        ${flowLine(f)}`);
    } else if (a.flowValidation !== 'disabled') out.push('      flows: none seen');
  }
  return out;
}

export function textReporter(write: (s: string) => void, opts: { tty: boolean; verbose?: boolean }): Reporter {
  let actions = 0;
  const live = (s: string) => write(`${CLEAR}${s}`);
  return {
    testStart(index, total, name) {
      actions = 0;
      if (opts.tty) live(`.... [${index + 1}/${total}] ${name}`);
    },
    actionDone(index, total, name) {
      actions++;
      if (opts.tty) live(`.... [${index + 1}/${total}] ${name} (${actions} action${actions === 1 ? '' : 's'})`);
    },
    testDone(index, total, r) {
      const line = testLine(index, total, r);
      write(opts.tty ? `${CLEAR}${line}\n` : `${line}\n`);
      if (r.status === 'failed') for (const l of failureDetails(r, opts.verbose)) write(`${l}\n`);
    },
    runDone(run) {
      write(`${summaryLine(run.summary)}\n`);
    },
  };
}

/** For -o json: the terminal stays quiet apart from what the caller writes. */
export const silentReporter: Reporter = { testStart() {}, actionDone() {}, testDone() {}, runDone() {} };
