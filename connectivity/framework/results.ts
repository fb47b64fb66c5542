// The result of a run, as `-o json` writes it and the JUnit writer and the terminal read it:
// tests, their actions, verdicts, durations and the flows that were the evidence.
import type { Flow } from '../../api/types.ts';
import type { FlowValidationMode } from './flow-match.ts';
import type { Expectation, ProbeKind, ProbeResult } from './types.ts';

export type Status = 'passed' | 'failed' | 'skipped';

export interface ActionResult {
  name: string;
  scenario: string;
  source: string;
  destination: string;
  probe: ProbeKind;
  target: string;
  expected: Expectation;
  status: Exclude<Status, 'skipped'>;
  /** Why it failed, or warnings from flow validation in `warning` mode. */
  problems: string[];
  warnings: string[];
  durationMs: number;
  attempts: number;
  /** The probe's own report, or undefined when it could not run. */
  result?: ProbeResult;
  /** Raw output of the probe command, kept for failures. */
  output?: { stdout: string; stderr: string; exitCode: number };
  flowValidation: 'passed' | 'failed' | 'warning' | 'disabled';
  flows: Flow[];
}

export interface TestResult {
  name: string;
  description: string;
  status: Status;
  skipReason?: string;
  /** A failure outside any action: applying a policy, an exec that could not start. */
  error?: string;
  durationMs: number;
  actions: ActionResult[];
  skippedScenarios: { name: string; reason: string }[];
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  actions: { passed: number; failed: number };
}

export interface RunResult {
  namespace: string;
  flowValidation: FlowValidationMode;
  startedAt: string;
  durationMs: number;
  summary: Summary;
  tests: TestResult[];
}

export function summarize(tests: readonly TestResult[]): Summary {
  const s: Summary = { passed: 0, failed: 0, skipped: 0, actions: { passed: 0, failed: 0 } };
  for (const t of tests) {
    s[t.status]++;
    for (const a of t.actions) s.actions[a.status]++;
  }
  return s;
}

/** A test passes when none of its actions failed and nothing around them did. */
export function testStatus(actions: readonly ActionResult[], error: string | undefined): Exclude<Status, 'skipped'> {
  return error === undefined && actions.every((a) => a.status === 'passed') ? 'passed' : 'failed';
}

export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
}

export function toJSON(run: RunResult): string {
  return JSON.stringify(run, null, 2) + '\n';
}
