// Flows for validation from the relay (or any observer.Observer: one agent, Hubble itself): one
// GetFlows call per query, a snapshot of the window (no follow), ended by a deadline.
import type { ObserverClient } from '../../api/grpc.ts';
import type { Flow, GetFlowsResponse, Timestamp } from '../../api/types.ts';
import type { FlowQuery, FlowSource } from '../framework/flow-source.ts';

export const toTimestamp = (d: Date): Timestamp => {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
};

export function observerFlowSource(client: ObserverClient, opts: { callTimeoutMs?: number } = {}): FlowSource {
  return {
    getFlows(q: FlowQuery): Promise<Flow[]> {
      const flows: Flow[] = [];
      // number 0 with since: every matching flow held since then (hubble's semantics).
      const stream = client.getFlows(
        { whitelist: q.whitelist, since: toTimestamp(q.since), until: toTimestamp(q.until) },
        { deadline: Date.now() + (opts.callTimeoutMs ?? 10_000) },
      );
      return new Promise((resolve, reject) => {
        stream.on('data', (r: GetFlowsResponse) => {
          if (r.flow) flows.push(r.flow);
        });
        stream.on('error', (err: Error) => reject(new Error(`GetFlows: ${err.message}`)));
        stream.on('end', () => resolve(flows));
      });
    },
  };
}
