// The relay role: `kubectl-netobs relay [--config-dir DIR]`. Finds the agents (pods matching
// the agent selector in the install namespace, or --peer), connects to each over mTLS, and serves
// observer.Observer and netobs.v1.AgentStatus on the relay port: TLS requiring a client
// certificate of the netobs CA (relay-tls-enabled), or plaintext in the compatibility mode.
// Certificates are re-read every TLS_RELOAD_MS, so a rotation needs no restart.
import { buildInfo } from '../lib/build-info.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { untilSignal } from '../roles/until-signal.ts';
import { UserError } from '../lib/errors.ts';
import { OBSERVER_SERVICE, observerService } from '../api/grpc.ts';
import { agentServerNameFor } from '../api/config.ts';
import { HEALTH_SERVICE } from '../api/health.ts';
import { PEER_SERVICE } from '../api/peer.ts';
import { addReflection } from '../api/reflection.ts';
import { RelayHealthPeers } from './health-peers.ts';
import { loadConfig, stderrLogger } from '../agent/config.ts';
import { statusService } from '../api/status/grpc.ts';
import { listenGrpc, reloadingServerCredentials, serverCredentials, tlsFilesIn } from '../lib/listen.ts';
import { TLS_RELOAD_MS } from '../api/config.ts';
import { PodDiscovery, StaticDiscovery, type AgentDiscovery } from './discovery.ts';
import { PeerPool, type PeerSpec } from './peers.ts';
import { relayObserverHandlers, relayStatusHandlers } from './server.ts';

export interface RelayRunOptions {
  configDir?: string;
  kubeconfig?: string;
  context?: string;
  /** Static agents `node=host:port` instead of discovering agent pods. */
  peers?: string[];
  /** Listen address (default 0.0.0.0:<relay-port>). */
  listen?: string;
  until?: Promise<unknown>;
  onListening?: (port: number) => void;
}

export function parsePeers(specs: readonly string[]): PeerSpec[] {
  return specs.map((s) => {
    const m = /^([^=]+)=(.+:\d+)$/.exec(s);
    if (!m) throw new UserError(`invalid --peer "${s}": use node=host:port`);
    return { node: m[1] as string, address: m[2] as string };
  });
}

export async function runRelay(o: RelayRunOptions): Promise<void> {
  const version = buildInfo().version;
  const cfg = loadConfig(o.configDir, version);
  const log = stderrLogger(cfg.logLevel);
  const pool = new PeerPool(cfg.tlsEnabled ? { tls: tlsFilesIn(cfg.tlsDir), serverName: cfg.tlsServerName } : {});
  const namespace = process.env.POD_NAMESPACE ?? cfg.namespace;
  const discovery: AgentDiscovery = o.peers?.length
    ? new StaticDiscovery(parsePeers(o.peers))
    : new PodDiscovery(loadKubeConfig({ kubeconfig: o.kubeconfig, context: o.context, inCluster: true }), namespace, cfg.agentSelector, cfg.flowServerPort, (m) => log('warn', m));
  const extras = new RelayHealthPeers(cfg.tlsEnabled ? (node) => agentServerNameFor(cfg.tlsServerName, node) : undefined);
  const server = await listenGrpc(
    [
      { definition: observerService, handlers: relayObserverHandlers(pool, `netobs-relay ${version}`) },
      { definition: statusService, handlers: relayStatusHandlers(pool) },
      ...extras.services,
    ],
    [{ address: o.listen ?? `0.0.0.0:${cfg.relayPort}`, credentials: cfg.relayTlsEnabled ? reloadingServerCredentials(tlsFilesIn(cfg.relayTlsDir), TLS_RELOAD_MS) : serverCredentials() }],
    (s) => addReflection(s, [OBSERVER_SERVICE, PEER_SERVICE, HEALTH_SERVICE]),
  );
  o.onListening?.(server.ports[0] ?? 0);
  log('info', `relay ${version}: serving on :${server.ports[0]} ${cfg.relayTlsEnabled ? 'with mTLS (client certificates of the netobs CA)' : 'in plaintext (compatibility mode: anyone reaching the port reads every flow)'}; agents ${o.peers?.length ? 'from --peer' : `labelled ${cfg.agentSelector} in ${namespace}`}${cfg.tlsEnabled ? ' over mTLS' : ''}`);
  try {
    await discovery.start((peers) => {
      const { added, removed } = pool.set(peers);
      extras.update(pool.list());
      if (added.length || removed.length) log('info', `relay: agents ${pool.list().map((p) => `${p.node}@${p.address}`).join(', ') || 'none'}`);
    });
    await (o.until ?? untilSignal());
  } finally {
    extras.stop();
    await discovery.stop();
    await server.close();
    pool.close();
  }
}
