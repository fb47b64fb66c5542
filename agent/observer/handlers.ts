// observer.Observer handlers over a node's flow ring (the agent's flow API on 4244 and its unix
// socket). The gRPC server itself is created by the agent; this maps requests onto the ring:
// bad filters answer INVALID_ARGUMENT, a slow client is served at its pace (and told what it
// missed when the ring laps it), a cancelled call stops its reader.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { ObserverHandlers } from '../../api/grpc.ts';
import type { GetFlowsRequest, GetFlowsResponse, Namespace, Timestamp } from '../../api/types.ts';
import { NodeState } from '../../api/types.ts';
import { FilterError } from '../../api/filter/filter-match.ts';
import { maskFlow } from '../../api/filter/field-mask.ts';
import { getFlows } from './get-flows.ts';
import { acceptGetFlows } from '../../api/filter/request.ts';
import type { FlowRing } from './ring.ts';

export interface NodeInfo {
  name: string;
  version: string;
  address?: string;
  tls?: boolean;
  /** Monotonic start, for uptime_ns. */
  startedNs: bigint;
  nowNs: () => bigint;
  now: () => Timestamp;
}

function namespaces(ring: FlowRing): Namespace[] {
  const seen = new Set<string>();
  for (let seq = ring.oldestSeq; seq < ring.nextSeq; seq++) {
    const f = ring.at(seq)?.flow;
    if (f?.source?.namespace) seen.add(f.source.namespace);
    if (f?.destination?.namespace) seen.add(f.destination.namespace);
  }
  return [...seen].sort().map((namespace) => ({ namespace }));
}

export function observerHandlers(ring: FlowRing, node: NodeInfo): ObserverHandlers {
  const uptime = (): number => Number(node.nowNs() - node.startedNs);
  return {
    async GetFlows(call) {
      const signal = acceptGetFlows(call)?.signal;
      if (!signal) return;
      const mask = call.request.field_mask?.paths;
      try {
        for await (const ev of getFlows(ring, call.request, signal)) {
          let res = ev.node_name ? ev : { ...ev, node_name: node.name };
          if (mask?.length && res.flow) res = { ...res, flow: maskFlow(res.flow, mask) };
          if (!call.write(res)) await Promise.race([once(call, 'drain'), once(signal, 'abort')]);
          if (signal.aborted) return;
        }
        call.end();
      } catch (err) {
        if (!signal.aborted) call.emit('error', { code: grpc.status.INTERNAL, details: String(err) });
      }
    },
    ServerStatus(_call, cb) {
      cb(null, {
        num_flows: ring.size, max_flows: ring.capacity, seen_flows: ring.seen, uptime_ns: uptime(),
        num_connected_nodes: { value: 1 }, num_unavailable_nodes: { value: 0 }, version: node.version,
        flows_rate: ring.flowsRate(node.now()),
      });
    },
    GetNodes(_call, cb) {
      cb(null, {
        nodes: [{
          name: node.name, version: node.version, ...(node.address ? { address: node.address } : {}),
          state: NodeState.NODE_CONNECTED, tls: { enabled: node.tls ?? false }, uptime_ns: uptime(),
          num_flows: ring.size, max_flows: ring.capacity, seen_flows: ring.seen,
        }],
      });
    },
    GetNamespaces(_call, cb) {
      cb(null, { namespaces: namespaces(ring) });
    },
  };
}
