// `connectivity perf`: the connectivity test's workloads, then `probe perf` from the client pod
// to the echo pod on its node and to the one on another node, one pair at a time so they do not
// share the wire; a table or JSON; the namespace removed afterwards (also after a failure).
import { UserError } from '../lib/errors.ts';
import { formatTable } from '../lib/table.ts';
import type { ClusterClient, PodInfo } from './framework/cluster.ts';
import { ECHO_PORT, expectedPods, namespaceObject, testDeployment } from './deployment.ts';
import type { PerfResult } from './probe/perf.ts';
import { discoverTopology } from './topology.ts';

export interface PerfOptions {
  namespace: string;
  image: string;
  binary: string;
  /** How long each of throughput and latency is measured per pair. */
  durationMs: number;
  /** How long to wait for the test pods to become ready. */
  timeoutMs: number;
  keep: boolean;
  json: boolean;
}

export interface PerfDeps {
  cluster: ClusterClient;
  out: (s: string) => void;
  err: (s: string) => void;
  signal?: AbortSignal;
}

export interface PerfRow {
  scenario: 'same-node' | 'cross-node';
  source: string;
  destination: string;
  sourceNode: string;
  destinationNode: string;
  result?: PerfResult;
  skipped?: string;
}

/** The probe's command line: its output is one PerfResult in JSON. */
export function perfCommand(binary: string, target: string, durationMs: number): string[] {
  return [binary, 'probe', 'perf', '--target', target, '--duration', `${durationMs}ms`, '-o', 'json'];
}

const mbps = (bps: number) => (bps / 1e6).toFixed(1);

export function perfRows(rows: readonly PerfRow[]): string[][] {
  return [
    ['SCENARIO', 'SOURCE', 'DESTINATION', 'THROUGHPUT (Mbit/s)', 'LATENCY p50 (µs)', 'p90', 'p99', 'SAMPLES'],
    ...rows.map((r) => {
      const base = [r.scenario, `${r.source} (${r.sourceNode})`, `${r.destination} (${r.destinationNode || '-'})`];
      if (r.skipped) return [...base, `skipped: ${r.skipped}`, '', '', '', ''];
      const x = r.result!;
      if (!x.ok) return [...base, `failed: ${x.error}`, '', '', '', ''];
      const l = x.latency!;
      return [...base, mbps(x.throughput!.bitsPerSecond), String(l.p50Us), String(l.p90Us), String(l.p99Us), String(l.samples)];
    }),
  ];
}

function parsePerf(stdout: string, exitCode: number): PerfResult {
  const line = stdout.trim().split('\n').filter(Boolean).at(-1);
  try {
    const v = JSON.parse(line ?? '') as PerfResult;
    if (typeof v.ok === 'boolean' && typeof v.target === 'string') return v;
  } catch {
    // fall through
  }
  return { target: '', ok: false, error: `probe perf printed no result (exit code ${exitCode}): ${(line ?? '').slice(0, 200)}` };
}

/** Resolves to the exit code: 0 when every pair that could run was measured. */
export async function connectivityPerf(o: PerfOptions, d: PerfDeps): Promise<number> {
  const rows: PerfRow[] = [];
  try {
    const nodes = await d.cluster.listNodes();
    const multiNode = nodes.length >= 2;
    d.err(`deploying perf workloads in namespace ${o.namespace} (${nodes.length} node${nodes.length === 1 ? '' : 's'}, image ${o.image})\n`);
    await d.cluster.apply(testDeployment({ namespace: o.namespace, image: o.image, binary: o.binary, multiNode }));
    for (const w of expectedPods({ multiNode }, nodes.length)) {
      if (d.signal?.aborted) throw new UserError('connectivity perf: interrupted');
      await d.cluster.waitForPodsReady(o.namespace, w.selector, w.count, o.timeoutMs);
    }
    const t = await discoverTopology(d.cluster, o.namespace);
    const pairs: [PerfRow['scenario'], PodInfo | undefined][] = [['same-node', t.echoSameNode], ['cross-node', t.echoOtherNode]];
    for (const [scenario, echo] of pairs) {
      const row: PerfRow = { scenario, source: 'client', destination: scenario === 'same-node' ? 'echo-same-node' : 'echo-other-node', sourceNode: t.client.nodeName, destinationNode: echo?.nodeName ?? '' };
      rows.push(row);
      if (!echo) {
        row.skipped = 'needs a second node';
        continue;
      }
      if (d.signal?.aborted) throw new UserError('connectivity perf: interrupted');
      d.err(`measuring ${scenario}: client (${t.client.nodeName}) -> ${row.destination} (${echo.nodeName}), ${o.durationMs / 1000}s each for throughput and latency\n`);
      const cmd = perfCommand(o.binary, `${echo.ip}:${ECHO_PORT}`, o.durationMs);
      const out = await d.cluster.exec({ namespace: t.client.namespace, name: t.client.name, ...(t.client.container ? { container: t.client.container } : {}) }, cmd, { timeoutMs: 2 * o.durationMs + 20_000 });
      row.result = parsePerf(out.stdout, out.exitCode);
    }
  } finally {
    if (!o.keep) {
      try {
        await d.cluster.delete([namespaceObject(o.namespace)], { wait: true, timeoutMs: o.timeoutMs });
      } catch (err) {
        d.err(`warning: cleanup of namespace ${o.namespace} failed: ${(err as Error).message} (run connectivity test --cleanup)\n`);
      }
    }
  }
  if (o.json) d.out(JSON.stringify({ namespace: o.namespace, durationMs: o.durationMs, results: rows }, null, 2) + '\n');
  else d.out(formatTable(perfRows(rows)));
  const failed = rows.filter((r) => r.result && !r.result.ok);
  if (failed.length) throw new UserError(`connectivity perf: ${failed.map((r) => `${r.scenario}: ${r.result!.error}`).join('; ')}`);
  return 0;
}
