// The relay's ServerStatus and GetNodes answers, folded from what each node answered.
import type { Node, ServerStatusResponse } from '../api/types.ts';
import { NodeState } from '../api/types.ts';

export interface NodeAnswer<T> { node: string; address?: string; value?: T; error?: string }

export function mergeServerStatus(answers: readonly NodeAnswer<ServerStatusResponse>[], version: string): ServerStatusResponse {
  const ok = answers.filter((a) => a.value !== undefined && a.error === undefined);
  const down = answers.filter((a) => !ok.includes(a)).map((a) => a.node).sort();
  const sum = (k: 'num_flows' | 'max_flows' | 'seen_flows' | 'flows_rate'): number => ok.reduce((s, a) => s + (a.value?.[k] ?? 0), 0);
  return {
    num_flows: sum('num_flows'),
    max_flows: sum('max_flows'),
    seen_flows: sum('seen_flows'),
    uptime_ns: Math.max(0, ...ok.map((a) => a.value?.uptime_ns ?? 0)),
    num_connected_nodes: { value: ok.length },
    num_unavailable_nodes: { value: down.length },
    ...(down.length ? { unavailable_nodes: down } : {}),
    version,
    flows_rate: sum('flows_rate'),
  };
}

/** One GetNodes entry per node, connected or not. */
export function nodesFromStatus(answers: readonly NodeAnswer<ServerStatusResponse>[], tls: boolean): Node[] {
  return answers.map((a) => {
    const up = a.value !== undefined && a.error === undefined;
    return {
      name: a.node,
      ...(a.address ? { address: a.address } : {}),
      state: up ? NodeState.NODE_CONNECTED : NodeState.NODE_UNAVAILABLE,
      ...(up ? {
        version: a.value?.version, uptime_ns: a.value?.uptime_ns, num_flows: a.value?.num_flows,
        max_flows: a.value?.max_flows, seen_flows: a.value?.seen_flows,
      } : {}),
      tls: { enabled: tls, ...(tls ? { server_name: `${a.node}.netobs` } : {}) },
    };
  });
}
