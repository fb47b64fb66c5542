// The terminal UI's data source for a real cluster: the relay's flow stream (follow, with retry)
// and the agents' status documents, both through one RelayApi connection.
import type * as grpc from '@grpc/grpc-js';
import type { AgentStatus, EndpointStatus, MapEntriesPage, MapStatus } from '../../api/status/types.ts';
import { statusPath } from '../../api/status/paths.ts';
import type { Flow, GetFlowsResponse } from '../../api/types.ts';
import type { EndpointInfo, ExplainRequest, FlowListener, MapInfo, ServerStatusInfo, Subscription, TuiDataSource } from '../../tui/model/types.ts';
import { mergeExplanations, type PolicyExplanation } from '../../api/status/explain.ts';
import type { RelayApi } from '../relay-api.ts';

/** How many stored flows to show at start, before the live ones. */
const BACKLOG = 500;

export class RelaySource implements TuiDataSource {
  constructor(private readonly api: RelayApi) {}

  subscribeFlows(listener: FlowListener): Subscription {
    let closed = false;
    let call: grpc.ClientReadableStream<GetFlowsResponse> | undefined;
    let retry: NodeJS.Timeout | undefined;
    let backoff = 500;
    let batch: Flow[] = [];
    let flushing = false;
    // Flows arrive one message at a time; hand them to the UI in batches, once per tick.
    const flush = () => {
      flushing = false;
      if (batch.length === 0 || closed) return;
      const b = batch;
      batch = [];
      listener.flows(b);
    };
    const open = (first: boolean) => {
      call = this.api.observer.getFlows(first ? { number: BACKLOG, follow: true } : { number: 0, follow: true });
      call.on('data', (res: GetFlowsResponse) => {
        backoff = 500;
        if (res.flow) {
          batch.push(res.flow);
          if (!flushing) {
            flushing = true;
            setImmediate(flush);
          }
        } else if (res.lost_events) listener.lost(res.lost_events);
        else if (res.node_status) listener.nodeStatus?.(res.node_status);
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (closed) return;
        listener.error(new Error(`flow stream: ${err.details || err.message}; retrying`));
        retry = setTimeout(() => open(false), backoff);
        backoff = Math.min(backoff * 2, 10_000);
      });
      call.on('end', () => {
        if (!closed) retry = setTimeout(() => open(false), backoff);
      });
    };
    open(true);
    return {
      close() {
        closed = true;
        if (retry) clearTimeout(retry);
        call?.cancel();
      },
    };
  }

  async listEndpoints(node?: string): Promise<EndpointInfo[]> {
    const answers = await this.api.query(statusPath.endpoints({ policy: true }), node);
    return answers.flatMap((a) => a.body ?? []).map((e) => ({
      node: e.node,
      id: e.id,
      identity: e.identity,
      labels: e.labels,
      ...(e.ipv4 ? { ipv4: e.ipv4 } : {}),
      ...(e.ipv6 ? { ipv6: e.ipv6 } : {}),
      ingressEnforcement: e.ingressEnforcement,
      egressEnforcement: e.egressEnforcement,
      status: e.status,
      ...(e.policyEntries ? { policyEntries: e.policyEntries } : {}),
    }));
  }

  async listMaps(node?: string): Promise<MapInfo[]> {
    const answers = await this.api.query(statusPath.maps(), node);
    return answers.flatMap((a) => a.body ?? []).map((m) => ({ node: m.node, name: m.name, type: m.type, entries: m.entries, maxEntries: m.maxEntries, pressure: m.pressure }));
  }

  async mapEntries(node: string, map: string, page: { offset: number; limit: number }) {
    const [a] = await this.api.query(statusPath.mapEntries(map, page), node);
    if (!a?.body) throw new Error(a?.error ?? `map ${map} on ${node}: no answer`);
    return { entries: a.body.entries.map((e) => ({ key: e.key, value: e.value })), offset: a.body.offset, ...(a.body.total !== undefined ? { total: a.body.total } : {}) };
  }

  async explain(q: ExplainRequest): Promise<PolicyExplanation> {
    const answers = await this.api.query(statusPath.explain(q));
    const ok = answers.flatMap((a) => (a.body ? [a.body] : []));
    if (ok.length === 0) throw new Error(answers[0]?.error ?? 'no agent answered');
    return mergeExplanations(ok);
  }

  async serverStatus(): Promise<ServerStatusInfo> {
    const [st, nodes] = await Promise.all([this.api.observer.serverStatus({ deadline: Date.now() + 5000 }), this.api.query(statusPath.status())]);
    const lost = nodes.reduce((sum, n) => sum + Object.values(n.body?.lostEvents ?? {}).reduce((a, b) => a + b, 0), 0);
    return { numConnectedNodes: st.num_connected_nodes?.value ?? 0, unavailableNodes: st.unavailable_nodes ?? [], flowsRate: st.flows_rate ?? 0, lost };
  }
}
