// `connectivity test` from start to end, with the cluster and the flows injected: deploy the
// test workloads, wait for them, discover where they landed, run the selected tests, write the
// results, and remove everything unless asked to keep it (also after a failure or Ctrl-C).
import { writeFile } from 'node:fs/promises';
import { UserError } from '../lib/errors.ts';
import type { ClusterClient } from './framework/cluster.ts';
import type { FlowValidationMode } from './framework/flow-match.ts';
import type { FlowSource } from './framework/flow-source.ts';
import { toJUnit } from './framework/junit.ts';
import { textReporter } from './framework/report.ts';
import { summaryLine, toJSON, type RunResult } from './framework/results.ts';
import { realClock, runTests, type Clock } from './framework/runner.ts';
import { parseSelection, selectTests } from './framework/select.ts';
import type { Params, TestDefinition } from './framework/types.ts';
import { expectedPods, namespaceObject, testDeployment } from './deployment.ts';
import { connectivitySuite } from './scenarios/suite.ts';
import { discoverTopology } from './topology.ts';
import { agentDropCounters } from './adapters/agent-drop-counters.ts';

export interface ConnectivityOptions {
  namespace: string;
  image: string;
  binary: string;
  tests: string[];
  list: boolean;
  cleanup: boolean;
  keep: boolean;
  json: boolean;
  junitFile?: string;
  /** How long to wait for the test pods to become ready. */
  timeoutMs: number;
  probeTimeoutMs: number;
  externalTarget?: string;
  externalIP?: string;
  externalPort: number;
  flowValidation: FlowValidationMode;
  verbose: boolean;
  /** Where the agents run: their metrics Service is read for the drop counters. */
  agentNamespace: string;
}

export interface ConnectivityDeps {
  cluster: ClusterClient;
  /** Opened only when a run validates flows. */
  flows?: () => Promise<FlowSource>;
  out: (s: string) => void;
  err: (s: string) => void;
  tty: boolean;
  signal?: AbortSignal;
  clock?: Clock;
  suite?: TestDefinition[];
}

/** `--list`: the selected tests, one per line or as JSON; needs no cluster. */
export function listTests(o: Pick<ConnectivityOptions, 'tests' | 'json'>, out: (s: string) => void, suite: TestDefinition[] = connectivitySuite()): void {
  const tests = selectTests(suite, parseSelection(o.tests));
  if (o.json) out(JSON.stringify(tests.map((t) => ({ name: t.name, description: t.description })), null, 2) + '\n');
  else {
    const w = Math.max(...tests.map((t) => t.name.length), 4);
    for (const t of tests) out(`${t.name.padEnd(w)}  ${t.description}\n`);
  }
}

/** Resolves to the exit code: 0 when every selected test passed or was skipped. */
export async function connectivityTest(o: ConnectivityOptions, d: ConnectivityDeps): Promise<number> {
  const tests = selectTests(d.suite ?? connectivitySuite(), parseSelection(o.tests));
  if (o.list) {
    listTests(o, d.out, d.suite);
    return 0;
  }
  if (o.cleanup) {
    await removeAll(o, d);
    d.err(`removed namespace ${o.namespace} and its test objects\n`);
    return 0;
  }
  if (tests.length === 0) throw new UserError(`connectivity: no test matches --test ${o.tests.join(' --test ')} (see --list)`);

  const log = (s: string) => d.err(s);
  let run: RunResult | undefined;
  try {
    const nodes = await d.cluster.listNodes();
    const multiNode = nodes.length >= 2;
    log(`deploying test workloads in namespace ${o.namespace} (${nodes.length} node${nodes.length === 1 ? '' : 's'}, image ${o.image})\n`);
    await d.cluster.apply(testDeployment({ namespace: o.namespace, image: o.image, binary: o.binary, multiNode }));
    for (const w of expectedPods({ multiNode }, nodes.length)) {
      if (d.signal?.aborted) throw new UserError('connectivity: interrupted');
      await d.cluster.waitForPodsReady(o.namespace, w.selector, w.count, o.timeoutMs);
    }
    const topology = await discoverTopology(d.cluster, o.namespace);
    const params: Params = {
      namespace: o.namespace, binary: o.binary, probeTimeoutMs: o.probeTimeoutMs, externalPort: o.externalPort,
      ...(o.externalTarget ? { externalTarget: o.externalTarget } : {}), ...(o.externalIP ? { externalIP: o.externalIP } : {}),
    };
    const flows = o.flowValidation === 'disabled' || !d.flows ? undefined : await d.flows();
    const reporter = textReporter(o.json ? d.err : d.out, { tty: d.tty && !o.json, verbose: o.verbose });
    run = await runTests(tests, {
      env: { params, topology }, cluster: d.cluster, flowValidation: flows ? o.flowValidation : 'disabled', reporter,
      clock: d.clock ?? realClock, ...(flows ? { flows } : {}), ...(d.signal ? { signal: d.signal } : {}),
      drops: agentDropCounters(d.cluster, topology, { binary: o.binary, agentNamespace: o.agentNamespace }),
    });
  } finally {
    if (!o.keep) {
      try {
        await removeAll(o, d);
      } catch (err) {
        d.err(`warning: cleanup of namespace ${o.namespace} failed: ${(err as Error).message} (run with --cleanup)\n`);
      }
    } else log(`kept namespace ${o.namespace} (--keep); remove it with --cleanup\n`);
  }
  if (o.json) d.out(toJSON(run));
  if (o.junitFile) await writeFile(o.junitFile, toJUnit(run));
  if (o.json) d.err(`${summaryLine(run.summary)}\n`);
  return run.summary.failed > 0 ? 1 : 0;
}

/** Every test policy is namespaced, so the namespace takes them all with it. */
async function removeAll(o: ConnectivityOptions, d: ConnectivityDeps): Promise<void> {
  await d.cluster.delete([namespaceObject(o.namespace)], { wait: true, timeoutMs: o.timeoutMs });
}
