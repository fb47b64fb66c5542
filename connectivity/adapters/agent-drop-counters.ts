// Reads each agent's drop counters from its metrics port (the agents-metrics Service's port, on
// the node's address) by running the probe in the test's host-network pod on that node: the same
// exec path as every probe, and no access to the agents' pods needed.
import { NAMES } from '../../api/kube-names.ts';
import type { ClusterClient } from '../framework/cluster.ts';
import { parseDropCounters } from '../framework/drop-counters.ts';
import { parseProbeOutput, probeCommand } from '../framework/probe-command.ts';
import type { DropCounterSource } from '../framework/runner.ts';
import type { DropCounter, Topology } from '../framework/types.ts';

export function agentDropCounters(cluster: ClusterClient, topology: Topology, o: { binary: string; agentNamespace: string }): DropCounterSource {
  let port: number | undefined;
  return {
    async read(): Promise<DropCounter[]> {
      if (port === undefined) {
        const svc = (await cluster.listServices(o.agentNamespace)).find((s) => s.name === NAMES.agentMetrics);
        if (!svc?.ports[0]) throw new Error(`no Service ${o.agentNamespace}/${NAMES.agentMetrics} with a port (is netobs installed with agent metrics?)`);
        port = svc.ports[0].port;
      }
      const per = await Promise.all(
        topology.hostPods.map(async (pod) => {
          const spec = { kind: 'http' as const, target: `${pod.hostIP}:${port}`, path: '/metrics', body: true, timeoutMs: 5000 };
          const out = await cluster.exec({ namespace: pod.namespace, name: pod.name, ...(pod.container ? { container: pod.container } : {}) }, probeCommand(o.binary, spec), { timeoutMs: 15_000 });
          const parsed = parseProbeOutput(out);
          if ('invalid' in parsed) throw new Error(`node ${pod.nodeName}: ${parsed.invalid}`);
          const r = parsed.result;
          if (!r.ok || r.http?.status !== 200 || r.http.body === undefined) throw new Error(`node ${pod.nodeName}: GET ${spec.target}/metrics: ${r.error ?? `HTTP ${r.http?.status}`}`);
          return parseDropCounters(pod.nodeName, r.http.body);
        }),
      );
      return per.flat();
    },
  };
}
