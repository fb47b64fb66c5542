// Every endpoint an agent serves, started and closed together:
//   health     127.0.0.1:9879  GET /healthz, and the status API under /v1/ (loopback only)
//   metrics    :9962           agent metrics (agent-metrics.ts)
//   flow       :9965           Hubble flow metrics (agent/metrics), when handlers are configured
//   flow API   :4244           observer.Observer + netobs.v1.AgentStatus (mTLS when TLS is on)
//   run-dir    hubble.sock (gRPC, plaintext) and agent.sock (HTTP status API), for local tools
import path from 'node:path';
import type http from 'node:http';
import { observerService } from '../../api/grpc.ts';
import { LostEventSource } from '../../api/types.ts';
import { observerHandlers } from '../observer/handlers.ts';
import { timestampFromMs } from '../../api/flow-time.ts';
import { FlowMetrics } from '../metrics/flow-metrics.ts';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/registry.ts';
import type { Agent } from '../runtime/agent.ts';
import { AgentMetrics } from './agent-metrics.ts';
import { listenGrpc, listenHttp, reloadingServerCredentials, serverCredentials, type Closable, type TlsFiles } from '../../lib/listen.ts';
import { TLS_RELOAD_MS } from '../../api/config.ts';
import { routeStatus } from './routes.ts';
import { agentStatusHandlers, statusService } from '../../api/status/grpc.ts';

export interface ServerOptions {
  healthAddress?: { host: string; port: number };
  metricsAddress?: { host: string; port: number };
  flowMetricsAddress?: { host: string; port: number };
  /** `host:port` of the flow API. */
  grpcAddress?: string;
  tls?: TlsFiles;
  /** How often the TLS files are read again (default TLS_RELOAD_MS). */
  tlsReloadMs?: number;
  /** Directory for hubble.sock and agent.sock. */
  runDir?: string;
  metricsHandlers?: readonly string[];
  /** The address reported in GetNodes. */
  nodeAddress?: string;
}

export interface AgentServers {
  grpcPort?: number;
  healthPort?: number;
  metricsPort?: number;
  flowMetricsPort?: number;
  sockets: { grpc?: string; http?: string };
  close(): Promise<void>;
}

function send(res: http.ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

export async function startAgentServers(agent: Agent, o: ServerOptions): Promise<AgentServers> {
  const closers: Closable[] = [];
  const out: AgentServers = { sockets: {}, close: async () => {
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
  } };
  try {
    const statusHandler: http.RequestListener = (req, res) => {
      const url = req.url ?? '/';
      if (url === '/healthz' || url === '/readyz') return send(res, 200, 'ok\n', 'text/plain');
      if (req.method !== 'GET') return send(res, 405, { error: 'only GET' });
      const r = routeStatus(agent, url);
      return send(res, r.code, r.body);
    };
    if (o.healthAddress) {
      const h = await listenHttp(o.healthAddress, statusHandler);
      closers.push(h);
      if (h.port !== undefined) out.healthPort = h.port;
    }
    if (o.metricsAddress) {
      const metrics = new AgentMetrics(agent);
      const h = await listenHttp(o.metricsAddress, (_req, res) => send(res, 200, metrics.expose(), EXPOSITION_CONTENT_TYPE));
      closers.push(h);
      if (h.port !== undefined) out.metricsPort = h.port;
    }
    if (o.flowMetricsAddress && o.metricsHandlers?.length) {
      const fm = new FlowMetrics(o.metricsHandlers);
      agent.flows.listeners.push((f) => fm.processFlow(f));
      const last: Record<string, number> = {};
      const h = await listenHttp(o.flowMetricsAddress, (_req, res) => {
        for (const [source, n] of Object.entries(agent.flows.pipeline.lost())) {
          const d = n - (last[source] ?? 0);
          last[source] = n;
          if (d > 0) fm.processLost({ source: LostEventSource[source.toUpperCase() as keyof typeof LostEventSource], num_events_lost: d });
        }
        send(res, 200, fm.expose(), EXPOSITION_CONTENT_TYPE);
      });
      closers.push(h);
      if (h.port !== undefined) out.flowMetricsPort = h.port;
    }
    const services = [
      { definition: observerService, handlers: observerHandlers(agent.ring, {
        name: agent.nodeName, version: agent.version, ...(o.nodeAddress ? { address: o.nodeAddress } : {}), tls: o.tls !== undefined,
        startedNs: agent.startedNs, nowNs: () => process.hrtime.bigint(), now: () => timestampFromMs(Date.now()),
      }) },
      { definition: statusService, handlers: agentStatusHandlers(agent.nodeName, (p) => routeStatus(agent, p)) },
    ];
    const binds = [];
    if (o.grpcAddress) binds.push({ address: o.grpcAddress, credentials: o.tls ? reloadingServerCredentials(o.tls, o.tlsReloadMs ?? TLS_RELOAD_MS) : serverCredentials() });
    if (o.runDir) binds.push({ address: `unix:${path.join(o.runDir, 'hubble.sock')}`, credentials: serverCredentials() });
    if (binds.length) {
      const g = await listenGrpc(services, binds);
      closers.push({ address: o.grpcAddress ?? '', close: g.close });
      if (o.grpcAddress) out.grpcPort = g.ports[0];
      if (o.runDir) out.sockets.grpc = path.join(o.runDir, 'hubble.sock');
    }
    if (o.runDir) {
      const h = await listenHttp({ socket: path.join(o.runDir, 'agent.sock') }, statusHandler);
      closers.push(h);
      out.sockets.http = path.join(o.runDir, 'agent.sock');
    }
  } catch (err) {
    await out.close();
    throw err;
  }
  return out;
}
