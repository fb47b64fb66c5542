// Every endpoint an agent serves, started and closed together:
//   health     127.0.0.1:9879  GET /healthz, and the status API under /v1/ (loopback only)
//   metrics    node-ip:9962    agent metrics (agent-metrics.ts)
//   flow       node-ip:9965    Hubble flow metrics (agent/metrics), when handlers are configured;
//                              text or OpenMetrics by the scraper's Accept header
//   flow API   :4244           observer.Observer, peer.Peer, grpc.health.v1.Health, server
//                              reflection, netobs.v1.AgentStatus (mTLS when TLS is on)
//   exporter   flows as JSON lines to a rotated file, when configured (agent/exporter);
//              its counters join the agent metrics
//   run-dir    hubble.sock (gRPC, plaintext) and agent.sock (HTTP status API), for local tools
import path from 'node:path';
import type http from 'node:http';
import { observerService } from '../../api/grpc.ts';
import { observerHandlers } from '../observer/handlers.ts';
import { timestampFromMs } from '../../api/flow-time.ts';
import { FlowMetrics } from '../metrics/flow-metrics.ts';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/registry.ts';
import { flowMetricsListener } from '../metrics/serve.ts';
import { FlowExporter } from '../exporter/flow-exporter.ts';
import type { ExporterConfig } from '../../api/exporter-config.ts';
import type { Agent } from '../runtime/agent.ts';
import { AgentMetrics } from './agent-metrics.ts';
import { listenGrpc, listenHttp, reloadingServerCredentials, serverCredentials, type Closable, type TlsFiles } from '../../lib/listen.ts';
import { TLS_RELOAD_MS } from '../../api/config.ts';
import { routeStatus } from './routes.ts';
import { agentStatusHandlers, STATUS_SERVICE, statusService } from '../../api/status/grpc.ts';
import { OBSERVER_SERVICE } from '../../api/grpc.ts';
import { HEALTH_SERVICE, HealthState, healthService, HUBBLE_OBSERVER_HEALTH_NAME, ServingStatus } from '../../api/health.ts';
import { PEER_SERVICE, PeerNotifier, peerService, type PeerInfo } from '../../api/peer.ts';
import { addReflection } from '../../api/reflection.ts';
import { nodeAddresses } from '../../lib/kube-objects.ts';

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
  /** Most series per flow metric (default DEFAULT_MAX_SERIES_PER_METRIC; 0: no cap). */
  metricsMaxSeries?: number;
  /** How often the series of deleted pods are dropped (default 15 s: gone within a minute). */
  metricsSweepMs?: number;
  /** Hubble's flow exporter, checked (api/exporter-config.ts). */
  exporter?: ExporterConfig;
  /** One-line notes about the configuration (things asked that cannot be given), logged at start. */
  log?: (msg: string) => void;
  /** The address reported in GetNodes. */
  nodeAddress?: string;
  /** peer.Peer: the cluster name (peers are `cluster/node` unless it is "default") and the agents' certificate name for a node. */
  peers?: { clusterName: string; serverName?: (node: string) => string; intervalMs?: number };
}

/** The names this server reports health for: the server (""), Hubble's observer name, each service. */
export const AGENT_HEALTH_NAMES = ['', HUBBLE_OBSERVER_HEALTH_NAME, OBSERVER_SERVICE, PEER_SERVICE, STATUS_SERVICE];

/** The agents of the cluster as peer.Peer lists them: every node, at its first address, on the flow port. */
export function agentPeers(agent: Agent, port: number, o: NonNullable<ServerOptions['peers']>): PeerInfo[] {
  return agent.state.nodes().flatMap((n) => {
    const ip = nodeAddresses(n)[0];
    if (!ip) return [];
    const node = n.metadata.name;
    return [{
      name: o.clusterName && o.clusterName !== 'default' ? `${o.clusterName}/${node}` : node,
      address: `${ip.includes(':') ? `[${ip}]` : ip}:${port}`,
      ...(o.serverName ? { tlsServerName: o.serverName(node) } : {}),
    }];
  });
}

export interface AgentServers {
  health: HealthState;
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
  const health = new HealthState();
  const out: AgentServers = { health, sockets: {}, close: async () => {
    // Watchers and load balancers hear NOT_SERVING before the listeners go away.
    health.setAll(ServingStatus.NOT_SERVING);
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
    let exporter: FlowExporter | undefined;
    if (o.exporter) {
      const exp = new FlowExporter({ ...o.exporter, nodeName: agent.nodeName, ...(o.log ? { log: o.log } : {}) });
      exporter = exp;
      agent.flows.listeners.push((f) => exp.export(f));
      closers.push({ address: exp.file, close: async () => exp.close() });
    }
    if (o.metricsAddress) {
      const metrics = new AgentMetrics(agent);
      const h = await listenHttp(o.metricsAddress, (_req, res) => send(res, 200, metrics.expose() + (exporter?.registry.expose() ?? ''), EXPOSITION_CONTENT_TYPE));
      closers.push(h);
      if (h.port !== undefined) out.metricsPort = h.port;
    }
    if (o.flowMetricsAddress && o.metricsHandlers?.length) {
      const max = o.metricsMaxSeries;
      const fm = new FlowMetrics(o.metricsHandlers, max === undefined ? {} : { maxSeriesPerMetric: max === 0 ? Infinity : max });
      for (const n of fm.notes) o.log?.(n);
      agent.flows.listeners.push((f) => fm.processFlow(f));
      const sweep = setInterval(() => fm.forgetDeletedPods((ns, pod) => agent.state.pod(ns, pod) !== undefined), o.metricsSweepMs ?? 15_000);
      sweep.unref();
      closers.push({ address: 'flow-metrics sweep', close: async () => clearInterval(sweep) });
      const h = await listenHttp(o.flowMetricsAddress, flowMetricsListener(fm, () => agent.flows.pipeline.lost()));
      closers.push(h);
      if (h.port !== undefined) out.flowMetricsPort = h.port;
    }
    const peers = new PeerNotifier();
    const services = [
      { definition: observerService, handlers: observerHandlers(agent.ring, {
        name: agent.nodeName, version: agent.version, ...(o.nodeAddress ? { address: o.nodeAddress } : {}), tls: o.tls !== undefined,
        startedNs: agent.startedNs, nowNs: () => process.hrtime.bigint(), now: () => timestampFromMs(Date.now()),
      }, agent.events) },
      { definition: healthService, handlers: health.handlers() },
      { definition: peerService, handlers: peers.handlers() },
      { definition: statusService, handlers: agentStatusHandlers(agent.nodeName, (p) => routeStatus(agent, p)) },
    ];
    const binds = [];
    if (o.grpcAddress) binds.push({ address: o.grpcAddress, credentials: o.tls ? reloadingServerCredentials(o.tls, o.tlsReloadMs ?? TLS_RELOAD_MS) : serverCredentials() });
    if (o.runDir) binds.push({ address: `unix:${path.join(o.runDir, 'hubble.sock')}`, credentials: serverCredentials() });
    if (binds.length) {
      const g = await listenGrpc(services, binds, (server) => addReflection(server, [OBSERVER_SERVICE, PEER_SERVICE, HEALTH_SERVICE]));
      closers.push({ address: o.grpcAddress ?? '', close: g.close });
      const port = g.ports[0] ?? 0;
      if (o.peers && port) {
        const p = o.peers;
        const refresh = (): void => peers.update(agentPeers(agent, port, p));
        refresh();
        const timer = setInterval(refresh, p.intervalMs ?? 2000);
        closers.push({ address: 'peers', close: async () => clearInterval(timer) });
      }
      for (const name of AGENT_HEALTH_NAMES) health.set(name, ServingStatus.SERVING);
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
