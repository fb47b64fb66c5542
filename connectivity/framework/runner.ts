// Runs tests one after another: apply the test's policies, run every action (probe by exec in
// the source pod), check the probe and the flows against the expectation, remove the policies.
// Policies take effect asynchronously, so an action that disagrees soon after a policy change is
// retried until the settle time has passed; that is the only retry.
import type { Flow } from '../../api/types.ts';
import type { ClusterClient, KubeObject } from './cluster.ts';
import { checkProbe, success } from './expect.ts';
import { flowFilters, flowSides, relatedFlows, validateFlows, type FlowValidationMode } from './flow-match.ts';
import type { FlowSource } from './flow-source.ts';
import { parseProbeOutput, probeCommand } from './probe-command.ts';
import type { Reporter } from './report.ts';
import { summarize, testStatus, type ActionResult, type RunResult, type TestResult } from './results.ts';
import { isSkip, type Action, type Env, type Expectation, type ProbeResult, type TestDefinition } from './types.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface RunOptions {
  env: Env;
  cluster: ClusterClient;
  /** Required unless flowValidation is `disabled`. */
  flows?: FlowSource;
  flowValidation: FlowValidationMode;
  reporter: Reporter;
  /** How long after a policy change a disagreeing action is retried. */
  policySettleMs?: number;
  /** How long to wait for an action's flows to reach the flow source. */
  flowWaitMs?: number;
  retryIntervalMs?: number;
  /** Flow timestamps come from the nodes: allow this much clock difference. */
  clockSkewMs?: number;
  clock?: Clock;
  /** Stops before the next action; the current test's policies are still removed. */
  signal?: AbortSignal;
}

interface Ctx extends Required<Omit<RunOptions, 'flows' | 'signal'>> {
  flows: FlowSource | undefined;
  signal: AbortSignal | undefined;
  lastPolicyChange: number;
}

export async function runTests(tests: readonly TestDefinition[], opts: RunOptions): Promise<RunResult> {
  if (opts.flowValidation !== 'disabled' && !opts.flows) throw new Error('connectivity: flow validation needs a flow source');
  const ctx: Ctx = {
    policySettleMs: 15_000, flowWaitMs: 5_000, retryIntervalMs: 500, clockSkewMs: 1_000, clock: realClock,
    ...opts, flows: opts.flows, signal: opts.signal, lastPolicyChange: -Infinity,
  };
  const started = ctx.clock.now();
  const results: TestResult[] = [];
  for (const [i, test] of tests.entries()) {
    ctx.reporter.testStart(i, tests.length, test.name);
    const r = ctx.signal?.aborted ? skipped(test, 'interrupted') : await runTest(test, i, tests.length, ctx);
    results.push(r);
    ctx.reporter.testDone(i, tests.length, r);
  }
  const run: RunResult = {
    namespace: opts.env.params.namespace,
    flowValidation: opts.flowValidation,
    startedAt: new Date(started).toISOString(),
    durationMs: ctx.clock.now() - started,
    summary: summarize(results),
    tests: results,
  };
  ctx.reporter.runDone(run);
  return run;
}

const skipped = (t: TestDefinition, reason: string): TestResult => ({
  name: t.name, description: t.description, status: 'skipped', skipReason: reason, durationMs: 0, actions: [], skippedScenarios: [],
});

async function runTest(test: TestDefinition, index: number, total: number, ctx: Ctx): Promise<TestResult> {
  const reason = test.skip?.(ctx.env.params);
  if (reason) return skipped(test, reason);
  const actions: Action[] = [];
  const skippedScenarios: TestResult['skippedScenarios'] = [];
  for (const s of test.scenarios) {
    const a = s.actions(ctx.env);
    if (isSkip(a)) skippedScenarios.push({ name: s.name, reason: a.skip });
    else actions.push(...a);
  }
  if (actions.length === 0) {
    return { ...skipped(test, skippedScenarios.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'no actions'), skippedScenarios };
  }

  const started = ctx.clock.now();
  const results: ActionResult[] = [];
  const policies: KubeObject[] = test.policies?.(ctx.env.params) ?? [];
  let error: string | undefined;
  try {
    if (policies.length) {
      await ctx.cluster.apply(policies);
      ctx.lastPolicyChange = ctx.clock.now();
    }
    for (const action of actions) {
      if (ctx.signal?.aborted) {
        error = 'interrupted';
        break;
      }
      const r = await runAction(action, test.expect?.(action) ?? success(), ctx);
      results.push(r);
      ctx.reporter.actionDone(index, total, test.name, r);
    }
  } catch (err) {
    error = `${test.name}: ${(err as Error).message}`;
  } finally {
    if (policies.length) {
      try {
        await ctx.cluster.delete([...policies].reverse(), { wait: true });
      } catch (err) {
        error ??= `remove policies: ${(err as Error).message}`;
      }
      ctx.lastPolicyChange = ctx.clock.now();
    }
  }
  return {
    name: test.name, description: test.description, status: testStatus(results, error),
    ...(error ? { error } : {}), durationMs: ctx.clock.now() - started, actions: results, skippedScenarios,
  };
}

interface Attempt {
  started: number;
  result?: ProbeResult;
  output?: ActionResult['output'];
  problems: string[];
}

async function probeOnce(action: Action, expected: Expectation, ctx: Ctx): Promise<Attempt> {
  const started = ctx.clock.now();
  const { pod } = action.source;
  let output: ActionResult['output'];
  try {
    const ref = { namespace: pod.namespace, name: pod.name, ...(pod.container ? { container: pod.container } : {}) };
    output = await ctx.cluster.exec(ref, probeCommand(ctx.env.params.binary, action.probe), {
      timeoutMs: action.probe.timeoutMs + 10_000,
    });
  } catch (err) {
    return { started, problems: [`probe could not run in ${pod.namespace}/${pod.name}: ${(err as Error).message}`] };
  }
  const parsed = parseProbeOutput(output);
  if ('invalid' in parsed) return { started, output, problems: [parsed.invalid] };
  return { started, output, result: parsed.result, problems: checkProbe(action, expected, parsed.result) };
}

async function runAction(action: Action, expected: Expectation, ctx: Ctx): Promise<ActionResult> {
  const started = ctx.clock.now();
  let attempts = 0;
  let a: Attempt;
  for (;;) {
    attempts++;
    a = await probeOnce(action, expected, ctx);
    const settling = ctx.clock.now() - ctx.lastPolicyChange < ctx.policySettleMs;
    if (a.problems.length === 0 || !settling || ctx.signal?.aborted) break;
    await ctx.clock.sleep(ctx.retryIntervalMs);
  }
  const problems = [...a.problems];
  const warnings: string[] = [];
  let flows: Flow[] = [];
  let flowValidation: ActionResult['flowValidation'] = 'disabled';
  // Flows prove what the probe saw; without a probe result there is nothing to prove.
  if (ctx.flowValidation !== 'disabled' && ctx.flows && a.result) {
    const v = await validateActionFlows(action, expected, a.result, a.started, ctx.flows, ctx);
    flows = v.flows;
    flowValidation = v.problems.length === 0 ? 'passed' : ctx.flowValidation === 'strict' ? 'failed' : 'warning';
    (ctx.flowValidation === 'strict' ? problems : warnings).push(...v.problems.map((p) => `flows: ${p}`));
  }
  return {
    name: action.name, scenario: action.scenario, source: action.source.name, destination: action.destination.name,
    probe: action.probe.kind, target: action.probe.target, expected, status: problems.length ? 'failed' : 'passed',
    problems, warnings, durationMs: ctx.clock.now() - started, attempts, flowValidation, flows,
    ...(a.result ? { result: a.result } : {}), ...(a.output ? { output: a.output } : {}),
  };
}

/** Fetches the action's flows until they prove the expectation or the flow wait is over. */
async function validateActionFlows(
  action: Action, expected: Expectation, result: ProbeResult, started: number, source: FlowSource, ctx: Ctx,
): Promise<{ flows: Flow[]; problems: string[] }> {
  const sides = flowSides(action, result);
  const deadline = ctx.clock.now() + ctx.flowWaitMs;
  for (;;) {
    let flows: Flow[];
    let problems: string[];
    try {
      const all = await source.getFlows({
        whitelist: flowFilters(sides),
        since: new Date(started - ctx.clockSkewMs),
        until: new Date(ctx.clock.now() + ctx.clockSkewMs),
      });
      flows = relatedFlows(all, sides);
      problems = validateFlows(action, expected, result, flows);
    } catch (err) {
      flows = [];
      problems = [`cannot read flows: ${(err as Error).message}`];
    }
    if (problems.length === 0 || ctx.clock.now() >= deadline) return { flows, problems };
    await ctx.clock.sleep(ctx.retryIntervalMs);
  }
}
