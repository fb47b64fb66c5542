// Runs the tests: apply a test's policies, run its actions (probe by exec in the source pod, a few
// at once), check the probe and the flows against the expectation, remove the policies. Tests
// without policies change nothing in the cluster, so consecutive ones run side by side; a test
// with policies runs alone. Policies take effect asynchronously, so an action that disagrees soon
// after a policy change is retried until the settle time has passed; that is the only retry, and
// it is skipped when the flows show the packet dropped by a policy this run did not touch (the
// answer will not change). Once the flows show the request dropped, they are not waited for further.
import type { Flow } from '../../api/types.ts';
import type { ClusterClient, KubeObject } from './cluster.ts';
import { checkProbe, success } from './expect.ts';
import { deniedBy, flowFilters, flowSides, relatedFlows, requestDrops, validateFlows, type FlowValidationMode } from './flow-match.ts';
import type { FlowSource } from './flow-source.ts';
import { parseProbeOutput, probeCommand } from './probe-command.ts';
import type { Reporter } from './report.ts';
import { summarize, testStatus, type ActionResult, type RunResult, type TestResult } from './results.ts';
import { isSkip, type Action, type DropCounter, type Env, type Expectation, type ProbeResult, type TestDefinition } from './types.ts';

/** Reads every agent's datapath drop counters (adapters/agent-drop-counters.ts). */
export interface DropCounterSource {
  read(): Promise<DropCounter[]>;
}

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
  /** How many probes run at once (the exec round trip, not the cluster, is what they wait on). */
  concurrency?: number;
  /** Needed by tests with a `check`; they are skipped without it. */
  drops?: DropCounterSource;
}

interface Ctx extends Required<Omit<RunOptions, 'flows' | 'signal' | 'drops'>> {
  flows: FlowSource | undefined;
  drops: DropCounterSource | undefined;
  /** The drop counters when the run started, or why they could not be read. */
  dropsAtStart: DropCounter[] | string | undefined;
  signal: AbortSignal | undefined;
  lastPolicyChange: number;
  /** Names of the policies this run applied or removed lately: their drops may still be settling. */
  recentPolicies: Set<string>;
  slot: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** Runs at most n of the functions given to it at a time, in the order given. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Consecutive tests without policies form one batch; a test with policies is a batch of its own. */
function batches(tests: readonly TestDefinition[]): number[][] {
  const out: number[][] = [];
  tests.forEach((t, i) => {
    const last = out[out.length - 1];
    const alone = (x: TestDefinition) => x.policies !== undefined || x.check !== undefined;
    if (!alone(t) && last && !alone(tests[last[0]!]!)) last.push(i);
    else out.push([i]);
  });
  return out;
}

export async function runTests(tests: readonly TestDefinition[], opts: RunOptions): Promise<RunResult> {
  if (opts.flowValidation !== 'disabled' && !opts.flows) throw new Error('connectivity: flow validation needs a flow source');
  const ctx: Ctx = {
    policySettleMs: 15_000, flowWaitMs: 5_000, retryIntervalMs: 500, clockSkewMs: 1_000, clock: realClock, concurrency: 4,
    ...opts, flows: opts.flows, signal: opts.signal, drops: opts.drops, dropsAtStart: undefined, lastPolicyChange: -Infinity, recentPolicies: new Set(), slot: limiter(opts.concurrency ?? 4),
  };
  const started = ctx.clock.now();
  if (ctx.drops && tests.some((t) => t.check)) ctx.dropsAtStart = await ctx.drops.read().catch((err: Error) => `read the drop counters at the start: ${err.message}`);
  const results: TestResult[] = [];
  let lastPolicies: string[] = [];
  for (const batch of batches(tests)) {
    const first = tests[batch[0]!]!;
    // A skipped test applies nothing (and its policies may need the parameters it lacks).
    const own = first.skip?.(ctx.env.params) ? [] : (first.policies?.(ctx.env.params).map((p) => p.metadata.name) ?? []);
    ctx.recentPolicies = new Set([...lastPolicies, ...own]);
    if (own.length) lastPolicies = own;
    const run = (i: number, onAction: (a: ActionResult) => void) =>
      ctx.signal?.aborted ? Promise.resolve(skipped(tests[i]!, 'interrupted')) : runTest(tests[i]!, onAction, ctx);
    if (batch.length === 1) {
      const i = batch[0]!;
      ctx.reporter.testStart(i, tests.length, tests[i]!.name);
      const r = await run(i, (a) => ctx.reporter.actionDone(i, tests.length, tests[i]!.name, a));
      results.push(r);
      ctx.reporter.testDone(i, tests.length, r);
      continue;
    }
    // Side by side, reported in order once the batch is done: one line per test all the same.
    ctx.reporter.testStart(batch[0]!, tests.length, batch.map((i) => tests[i]!.name).join(', '));
    const done = await Promise.all(batch.map((i) => run(i, () => {})));
    for (const [k, i] of batch.entries()) {
      const r = done[k]!;
      ctx.reporter.testStart(i, tests.length, r.name);
      for (const a of r.actions) ctx.reporter.actionDone(i, tests.length, r.name, a);
      results.push(r);
      ctx.reporter.testDone(i, tests.length, r);
    }
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

async function runTest(test: TestDefinition, onAction: (a: ActionResult) => void, ctx: Ctx): Promise<TestResult> {
  const reason = test.skip?.(ctx.env.params);
  if (reason) return skipped(test, reason);
  if (test.check) return runCheck(test, test.check, ctx);
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

  // Side by side, a test starts when its first probe gets a slot, not when it was queued.
  let started = ctx.clock.now();
  let running = false;
  let results: ActionResult[] = [];
  const policies: KubeObject[] = test.policies?.(ctx.env.params) ?? [];
  let error: string | undefined;
  try {
    if (policies.length) {
      await ctx.cluster.apply(policies);
      ctx.lastPolicyChange = ctx.clock.now();
    }
    const done = await Promise.all(
      actions.map((action) =>
        ctx.slot(async () => {
          if (!running) {
            running = true;
            if (!policies.length) started = ctx.clock.now();
          }
          if (ctx.signal?.aborted) return undefined;
          const r = await runAction(action, test.expect?.(action) ?? success(), ctx);
          onAction(r);
          return r;
        }),
      ),
    );
    results = done.filter((r): r is ActionResult => r !== undefined);
    if (results.length < actions.length) error = 'interrupted';
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

/** A test of counters rather than traffic: its problems are the test's error. */
async function runCheck(test: TestDefinition, check: NonNullable<TestDefinition['check']>, ctx: Ctx): Promise<TestResult> {
  if (!ctx.drops) return skipped(test, 'the agents\' drop counters cannot be read in this run');
  const started = ctx.clock.now();
  let problems: string[];
  if (typeof ctx.dropsAtStart === 'string') problems = [ctx.dropsAtStart];
  else {
    try {
      problems = check({ atStart: ctx.dropsAtStart ?? [], now: await ctx.drops.read() });
    } catch (err) {
      problems = [`read the drop counters: ${(err as Error).message}`];
    }
  }
  return {
    name: test.name, description: test.description, status: problems.length ? 'failed' : 'passed',
    ...(problems.length ? { error: problems.join('; ') } : {}), durationMs: ctx.clock.now() - started, actions: [], skippedScenarios: [],
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
    if (a.result && !a.result.ok && (await droppedForGood(action, a.result, a.started, ctx))) break;
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

/**
 * True when the flows show the probe's request dropped, each drop naming only policies this run
 * has not applied or removed lately: no amount of settling will let that packet through.
 */
async function droppedForGood(action: Action, result: ProbeResult, started: number, ctx: Ctx): Promise<boolean> {
  if (!ctx.flows) return false;
  const sides = flowSides(action, result);
  try {
    const flows = await ctx.flows.getFlows({
      whitelist: flowFilters(sides),
      since: new Date(started - ctx.clockSkewMs),
      until: new Date(ctx.clock.now() + ctx.clockSkewMs),
    });
    const drops = requestDrops(flows, sides);
    return drops.length > 0 && drops.every((f) => deniedBy(f).length > 0 && deniedBy(f).every((p) => !ctx.recentPolicies.has(p)));
  } catch {
    return false;
  }
}

/** Fetches the action's flows until they prove the expectation, show the request dropped, or the flow wait is over. */
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
    const decided = requestDrops(flows, sides).length > 0;
    if (problems.length === 0 || decided || ctx.clock.now() >= deadline) return { flows, problems };
    await ctx.clock.sleep(ctx.retryIntervalMs);
  }
}
