// The relay's services on :4245. observer.Observer over every agent: GetFlows merges the nodes'
// streams in time order (relay/merge-streams.ts; a node that fails becomes a
// NODE_UNAVAILABLE NodeStatusEvent while the others go on), ServerStatus and GetNodes fold the
// nodes' answers (num_connected_nodes, unavailable_nodes), GetNamespaces unites them.
// netobs.v1.AgentStatus fans a status query out to one node or all of them, so the CLI and the
// TUI read every node's endpoints and maps through one port-forward.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { unimplementedStream, type ObserverHandlers } from '../api/grpc.ts';
import type { GetFlowsRequest, GetFlowsResponse, ServerStatusResponse } from '../api/types.ts';
import { acceptGetFlows } from '../api/filter/request.ts';
import { mergeFlowStreams } from './merge-streams.ts';
import { nodeStatus } from './merge.ts';
import { NodeState, type Timestamp } from '../api/types.ts';
import { compareTimestamps } from '../api/flow-time.ts';
import { mergeServerStatus, nodesFromStatus, type NodeAnswer } from './status-fold.ts';
import type { NodeAnswer as StatusAnswer, StatusHandlers } from '../api/status/grpc.ts';
import type { Peer, PeerPool } from './peers.ts';

const CALL_TIMEOUT_MS = 5000;

/** A node's GetFlows as an async iterable that a signal cancels; cancellation ends it quietly. */
async function* nodeStream(p: Peer, req: GetFlowsRequest, signal: AbortSignal): AsyncGenerator<GetFlowsResponse> {
  const call = p.observer.getFlows(req);
  const cancel = (): void => call.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for await (const r of call) yield { ...(r as GetFlowsResponse), node_name: (r as GetFlowsResponse).node_name || p.node };
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.CANCELLED && signal.aborted) return;
    throw new Error(`${p.node}: ${(err as grpc.ServiceError).details || (err as Error).message}`);
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** Pause between attempts to re-subscribe to a node that failed (an agent restart takes seconds). */
const RESUBSCRIBE_MS = 1000;

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const t = setTimeout(done, ms);
  function done(): void {
    clearTimeout(t);
    signal.removeEventListener('abort', done);
    resolve();
  }
  signal.addEventListener('abort', done, { once: true });
});

/**
 * A node's side of a follow: subscribes, and whenever the stream fails (the agent restarted, its
 * pod was replaced) reports NODE_UNAVAILABLE once, then re-subscribes to whatever agent the pool
 * holds for the node (asking ServerStatus first, so a reachable agent is reported NODE_CONNECTED
 * before it has a flow to send) from the last flow seen on, dropping repeats. Ends when the node
 * leaves the pool; if it comes back, the pool's watch starts a new one.
 */
async function* followNode(pool: PeerPool, node: string, req: GetFlowsRequest, signal: AbortSignal): AsyncGenerator<GetFlowsResponse> {
  let last: Timestamp | undefined;
  const nowMs = Date.now();
  const started: Timestamp = { seconds: Math.floor(nowMs / 1000), nanos: (nowMs % 1000) * 1e6 };
  let down = false;
  let firstCall = true;
  while (!signal.aborted) {
    const p = pool.get(node);
    if (!p) {
      if (!down) yield nodeStatus(NodeState.NODE_UNAVAILABLE, [node], 'agent left the cluster');
      return;
    }
    let why: string;
    try {
      if (down) {
        await p.observer.serverStatus({ deadline: new Date(Date.now() + CALL_TIMEOUT_MS) });
        down = false;
        yield nodeStatus(NodeState.NODE_CONNECTED, [node]);
      }
      // A re-subscription asks for what came after the last flow seen (a restarted agent's ring is new).
      const r: GetFlowsRequest = firstCall ? req : { ...req, number: 0, first: false, since: last ?? req.since ?? started };
      firstCall = false;
      for await (const ev of nodeStream(p, r, signal)) {
        const t = ev.flow?.time ?? ev.time;
        if (ev.flow && t && last) {
          if (compareTimestamps(t, last) <= 0) continue;
        }
        if (ev.flow && t) last = t;
        yield ev;
      }
      if (signal.aborted) return;
      why = 'stream ended';
    } catch (err) {
      if (signal.aborted) return;
      why = (err as grpc.ServiceError).details || (err as Error).message;
    }
    if (!down) {
      down = true;
      yield nodeStatus(NodeState.NODE_UNAVAILABLE, [node], why);
    }
    await sleep(RESUBSCRIBE_MS, signal);
  }
}

async function answers<T>(pool: PeerPool, ask: (p: Peer, deadline: Date) => Promise<T>): Promise<NodeAnswer<T>[]> {
  return Promise.all(pool.list().map(async (p) => {
    try {
      return { node: p.node, address: p.address, value: await ask(p, new Date(Date.now() + CALL_TIMEOUT_MS)) };
    } catch (err) {
      return { node: p.node, address: p.address, error: (err as grpc.ServiceError).details || (err as Error).message };
    }
  }));
}

/** Non-follow requests for N flows: the last (or first) N of the merged answer. */
function limit(events: GetFlowsResponse[], n: number, first: boolean): GetFlowsResponse[] {
  let flows = 0;
  const keep = new Array<boolean>(events.length).fill(false);
  const order = first ? events.map((_, i) => i) : events.map((_, i) => events.length - 1 - i);
  for (const i of order) {
    if (!events[i]?.flow) keep[i] = true;
    else if (flows < n) {
      keep[i] = true;
      flows++;
    }
  }
  return events.filter((_, i) => keep[i]);
}

export function relayObserverHandlers(pool: PeerPool, version: string): ObserverHandlers {
  return {
    // As hubble-relay: agent and debug events are per node; ask that node's agent.
    GetAgentEvents: unimplementedStream('the relay does not serve agent events: ask a node\'s agent (port 4244, or `kubectl netobs status`)'),
    GetDebugEvents: unimplementedStream('the relay does not serve debug events (and netobs agents emit none)'),
    async GetFlows(call) {
      const req = call.request;
      const ac = acceptGetFlows(call);
      if (!ac) return;
      const follow = req.follow === true;
      const stream = (p: Peer): AsyncIterable<GetFlowsResponse> => (follow ? followNode(pool, p.node, req, ac.signal) : nodeStream(p, req, ac.signal));
      const sources = new Map(pool.list().map((p) => [p.node, stream(p)] as const));
      // A follow takes in agents that appear later (new nodes, a restarted agent's new pod).
      const join = follow
        ? (add: (node: string, s: AsyncIterable<GetFlowsResponse>) => void) => pool.watch(({ added }) => {
          for (const node of added) {
            const p = pool.get(node);
            if (p) add(node, stream(p));
          }
        })
        : undefined;
      try {
        const merged = mergeFlowStreams(sources, { signal: ac.signal, ...(join ? { join } : {}) });
        if (!req.follow && (req.number ?? 0) > 0) {
          const all: GetFlowsResponse[] = [];
          for await (const ev of merged) all.push(ev);
          for (const ev of limit(all, req.number ?? 0, req.first ?? false)) call.write(ev);
        } else {
          for await (const ev of merged) {
            if (!call.write(ev)) await Promise.race([once(call, 'drain'), once(ac.signal, 'abort')]);
            if (ac.signal.aborted) return;
          }
        }
        call.end();
      } catch (err) {
        if (!ac.signal.aborted) call.emit('error', { code: grpc.status.INTERNAL, details: String(err) });
      } finally {
        ac.abort();
      }
    },
    async ServerStatus(_call, cb) {
      const a = await answers<ServerStatusResponse>(pool, (p, deadline) => p.observer.serverStatus({ deadline }));
      cb(null, mergeServerStatus(a, version));
    },
    async GetNodes(_call, cb) {
      const a = await answers<ServerStatusResponse>(pool, (p, deadline) => p.observer.serverStatus({ deadline }));
      cb(null, { nodes: nodesFromStatus(a, pool.tls) });
    },
    async GetNamespaces(_call, cb) {
      const a = await answers(pool, (p, deadline) => p.observer.getNamespaces({ deadline }));
      const seen = new Map<string, { cluster?: string; namespace?: string }>();
      for (const x of a) for (const ns of x.value?.namespaces ?? []) seen.set(`${ns.cluster ?? ''}/${ns.namespace ?? ''}`, ns);
      cb(null, { namespaces: [...seen.values()].sort((x, y) => (x.namespace ?? '').localeCompare(y.namespace ?? '')) });
    },
  };
}

export function relayStatusHandlers(pool: PeerPool): StatusHandlers {
  return {
    async Query(call, cb) {
      const { path, node } = call.request ?? { path: '' };
      if (typeof path !== 'string' || !path.startsWith('/v1/')) {
        cb({ code: grpc.status.INVALID_ARGUMENT, details: `path ${JSON.stringify(path)}: must start with /v1/` });
        return;
      }
      const peers = pool.list().filter((p) => !node || p.node === node);
      if (node && peers.length === 0) {
        cb({ code: grpc.status.NOT_FOUND, details: `node ${node}: no agent known there (nodes: ${pool.list().map((p) => p.node).join(', ') || 'none'})` });
        return;
      }
      const nodes: StatusAnswer[] = await Promise.all(peers.map(async (p) => {
        try {
          const r = await p.status.query({ path }, { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) });
          return r.nodes[0] ?? { node: p.node, code: 502, error: 'empty answer' };
        } catch (err) {
          return { node: p.node, code: 503, error: `agent ${p.address}: ${(err as grpc.ServiceError).details || (err as Error).message}` };
        }
      }));
      cb(null, { nodes });
    },
  };
}
