// The agent's own metrics on :9962 (names the agent dashboard reads, install/dashboards):
// endpoints, identities, policies and their revision and apply latency, datapath packets and
// drops from the per-CPU counters, BPF map pressure, program run time, lost events and the
// process. Values are read at scrape time; kernel counters enter as deltas, so the exposed
// counters only go up even when the pinned counters predate this process.
import { Registry, type Metric } from '../metrics/registry.ts';
import { programStats } from '../../bpf/loader/index.ts';
import type { Agent } from '../runtime/agent.ts';
import { mapStatuses } from './gather.ts';

const APPLY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export class AgentMetrics {
  readonly registry = new Registry();
  readonly apply: Metric;
  readonly #m: Record<string, Metric>;
  readonly #last = new Map<string, number>();

  constructor(private readonly agent: Agent) {
    const r = this.registry;
    this.#m = {
      endpoints: r.gauge('netobs_endpoints', 'Local pods managed by the agent'),
      unmanaged: r.gauge('netobs_unmanaged_pods', 'Local pods the agent could not manage (no veth found, attach failed)'),
      identities: r.gauge('netobs_identities', 'Security identities known cluster-wide'),
      policies: r.gauge('netobs_policies', 'Policies enforced'),
      invalid: r.gauge('netobs_policies_invalid', 'Policy objects rejected as invalid'),
      revision: r.gauge('netobs_policy_revision', 'Revision of the enforced policy set'),
      packets: r.counter('netobs_datapath_packets_total', 'Packets seen by the datapath', ['direction', 'verdict']),
      bytes: r.counter('netobs_datapath_bytes_total', 'Bytes seen by the datapath', ['direction', 'verdict']),
      drops: r.counter('netobs_datapath_drops_total', 'Packets dropped by the datapath', ['direction', 'reason']),
      pressure: r.gauge('netobs_bpf_map_pressure', 'Fill level of each BPF map (entries / max entries)', ['map']),
      endpointPressure: r.gauge('netobs_policy_endpoint_pressure', 'Policy map entries of the fullest endpoint / its capacity (a policy that would exceed it is refused)'),
      writeFailures: r.counter('netobs_policy_write_failures_total', 'Policy map writes that failed and were rolled back (retried until the map matches)'),
      repairs: r.counter('netobs_policy_repairs_total', 'Policy map entries the periodic comparison found differing from the compiler and rewrote'),
      runNs: r.counter('netobs_bpf_prog_run_ns', 'Time spent in the datapath programs (needs kernel.bpf_stats_enabled=1)', ['program']),
      runs: r.counter('netobs_bpf_prog_run_total', 'Runs of the datapath programs (needs kernel.bpf_stats_enabled=1)', ['program']),
      lost: r.counter('netobs_lost_events_total', 'Events lost between the datapath and the flow API', ['source']),
      flows: r.counter('netobs_flows_total', 'Flows written to the flow ring'),
      reconciles: r.counter('netobs_reconciles_total', 'Reconciliations of the datapath with the cluster'),
      reconcileErrors: r.counter('netobs_reconcile_errors_total', 'Failed reconciliations'),
      cpu: r.counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds'),
      rss: r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes'),
      heap: r.gauge('nodejs_heap_size_used_bytes', 'V8 heap used in bytes'),
      start: r.gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds'),
    };
    this.apply = r.histogram('netobs_policy_apply_seconds', 'Time from a policy or cluster change to its policy map update', [], APPLY_BUCKETS);
    this.#m.start?.set([], Math.round(Date.now() / 1000 - process.uptime()));
    agent.onApply = (s) => this.apply.observe([], s);
  }

  /** Counters from absolute values: add what grew since the last scrape. */
  #count(name: string, labels: string[], total: number): void {
    const key = `${name}/${labels.join('/')}`;
    const prev = this.#last.get(key);
    this.#last.set(key, total);
    const d = prev === undefined ? total : total - prev;
    if (d > 0) this.#m[name]?.inc(labels, d);
    else if (prev === undefined) this.#m[name]?.inc(labels, 0);
  }

  refresh(): void {
    const a = this.agent;
    const m = this.#m;
    m.endpoints?.set([], a.endpoints.records.size);
    m.unmanaged?.set([], a.endpoints.unmanaged.size);
    m.identities?.set([], a.allocator.identities().length);
    m.policies?.set([], a.policies.count);
    m.invalid?.set([], a.policies.invalid.size);
    m.revision?.set([], a.policies.revision);
    const sums = new Map<string, { packets: bigint; bytes: bigint }>();
    for (const row of a.datapath.metrics()) {
      const k = `${row.direction}/${row.verdict}`;
      const s = sums.get(k) ?? { packets: 0n, bytes: 0n };
      s.packets += row.packets;
      s.bytes += row.bytes;
      sums.set(k, s);
      if (row.verdict === 'dropped') this.#count('drops', [row.direction, row.reasonName], Number(row.packets));
    }
    for (const [k, s] of sums) {
      const [direction, verdict] = k.split('/') as [string, string];
      this.#count('packets', [direction, verdict], Number(s.packets));
      this.#count('bytes', [direction, verdict], Number(s.bytes));
    }
    for (const ms of mapStatuses(a)) m.pressure?.set([ms.name], ms.pressure);
    m.endpointPressure?.set([], a.policies.endpointPressure());
    this.#count('writeFailures', [], a.counters.policyWriteFailures);
    this.#count('repairs', [], a.counters.policyRepairs);
    for (const [program, fd] of Object.entries(a.datapath.programs)) {
      const st = programStats(fd);
      if (!st) continue;
      this.#count('runNs', [program], Number(st.runNs));
      this.#count('runs', [program], Number(st.runs));
    }
    for (const [source, n] of Object.entries(a.flows.pipeline.lost())) this.#count('lost', [source], n);
    this.#count('flows', [], a.flows.pipeline.counters.flows);
    this.#count('reconciles', [], a.counters.reconciles);
    this.#count('reconcileErrors', [], a.counters.reconcileErrors);
    const cpu = process.cpuUsage();
    this.#count('cpu', [], (cpu.user + cpu.system) / 1e6);
    const mem = process.memoryUsage();
    m.rss?.set([], mem.rss);
    m.heap?.set([], mem.heapUsed);
  }

  expose(): string {
    this.refresh();
    return this.registry.expose();
  }
}
