// The agent role: `kubectl-netobs agent [--config-dir DIR]`. Opens the datapath (reusing what a
// previous agent pinned), starts the servers, watches the cluster, and on SIGTERM/SIGINT closes
// servers and informers while the programs stay attached and the maps pinned, so traffic and
// policies are unaffected until the next agent takes over.
import os from 'node:os';
import path from 'node:path';
import { Datapath } from '../bpf/loader/index.ts';
import { buildInfo } from '../lib/build-info.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { untilSignal } from '../roles/until-signal.ts';
import { agentServerName, agentServerNameFor, CNI_BIN_DIR, CNI_CONF_DIR } from '../api/config.ts';
import { selfCommand } from '../lib/self-exec.ts';
import { installCniPlugin, protectionWarning, uninstallCniPlugin, type StartupProtection } from './cni/install.ts';
import { loadConfig, stderrLogger } from './config.ts';
import { VethDiscovery } from './endpoints/discover.ts';
import { KubeClusterSource } from './k8s/informers.ts';
import { MemoryClusterSource } from './k8s/memory-source.ts';
import { loadClusterFile } from './k8s/cluster-file.ts';
import type { ClusterSource } from './k8s/source.ts';
import { Agent } from './runtime/agent.ts';
import { publishNodeStatus } from './runtime/node-status.ts';
import { startAgentServers } from './server/agent-servers.ts';
import { exporterConfig } from '../api/exporter-config.ts';
import { tlsFilesIn } from '../lib/listen.ts';

export interface AgentRunOptions {
  configDir?: string;
  node?: string;
  kubeconfig?: string;
  context?: string;
  /** YAML objects to run against instead of an API server (debugging). */
  clusterFile?: string;
  /** Resolves when the agent should stop (default: SIGTERM or SIGINT). */
  until?: Promise<unknown>;
}

export async function runAgent(o: AgentRunOptions): Promise<void> {
  const version = buildInfo().version;
  const cfg = loadConfig(o.configDir, version);
  const log = stderrLogger(cfg.logLevel);
  const nodeName = o.node ?? process.env.NODE_NAME ?? os.hostname();
  const dp = Datapath.open({ bpffsRoot: cfg.bpffsRoot, config: { httpPorts: cfg.httpPorts.slice(0, 7) } });
  for (const m of dp.migrations) {
    log('info', `datapath: pinned map ${m.map} had another layout (${m.from}): migrated into ${m.to}, ${m.replayed} entries replayed, ${m.dropped} dropped`);
  }
  let source: ClusterSource;
  if (o.clusterFile) {
    const mem = new MemoryClusterSource();
    const n = loadClusterFile(o.clusterFile, mem);
    log('info', `agent: ${n} objects from ${o.clusterFile} (no API server)`);
    source = mem;
  } else {
    source = new KubeClusterSource(loadKubeConfig({ kubeconfig: o.kubeconfig, context: o.context, inCluster: true }));
  }
  const agent = new Agent({
    nodeName, source, datapath: dp, version, clusterName: cfg.clusterName === 'default' ? undefined : cfg.clusterName,
    ringCapacity: cfg.flowRingSize, discovery: new VethDiscovery({ netnsDirs: [...new Set([cfg.netnsDir, '/var/run/netns'])] }), log,
    // The agent runs in the node's network namespace (hostNetwork), where the redirect goes.
    l7Proxy: {},
    // Learnt toFQDNs addresses survive an agent restart (the run directory is the node's).
    fqdnStateFile: path.join(cfg.runDir, 'fqdn.json'),
  });
  if (dp.bpffsMountedHere) {
    // The agent is the only one with this mount: the pins under it vanish with the agent's mount
    // namespace, so a restart reloads the datapath from scratch (maps and policy state lost).
    const why = `bpffs is not mounted on the host at ${dp.bpffsMountedHere}: the agent mounted a private one, so pins under ${cfg.bpffsRoot} do not survive an agent restart (mount bpffs on the host, or install with agent.mountBpffs=true)`;
    agent.warnings.set('bpffs', why);
    log('warn', `agent: ${why}`);
  }
  // After the datapath is pinned (the plugin opens those pins): chain netobs into the node's CNI.
  // Pins in a bpffs private to the agent are out of the plugin's reach: chained, it would fail
  // every pod's ADD, so netobs is taken out of the chain instead.
  const protection: StartupProtection = dp.bpffsMountedHere
    ? await uninstallCniPlugin({ binDir: CNI_BIN_DIR, confDir: CNI_CONF_DIR }).then(
      () => ({ enabled: false, reason: `the datapath's pins are in a bpffs private to the agent, which the CNI plugin cannot open` }),
      (e: unknown) => ({ enabled: false, reason: `bpffs private to the agent, and netobs could not be taken out of the CNI chain: ${(e as Error).message}` }),
    )
    : await installCniPlugin({ binDir: CNI_BIN_DIR, confDir: CNI_CONF_DIR, bpffsRoot: cfg.bpffsRoot, self: selfCommand([]) });
  const unprotected = protectionWarning(protection);
  if (unprotected) {
    agent.warnings.set('startup-protection', unprotected);
    log('warn', `agent: ${unprotected}`);
  } else if (protection.enabled) {
    log('info', `agent: start-up protection on: netobs chained in ${protection.conflist}, new pods get netobs's programs at CNI ADD`);
  }
  // '' means the node's IP (the downward API's status.hostIP): a host-network agent then serves
  // metrics to the cluster without listening on every interface of the node.
  const metricsHost = cfg.metricsListenAddress || process.env.HOST_IP || '127.0.0.1';
  let servers: Awaited<ReturnType<typeof startAgentServers>> | undefined;
  let stopStatus = (): void => {};
  try {
    servers = await startAgentServers(agent, {
      healthAddress: { host: '127.0.0.1', port: cfg.healthPort },
      metricsAddress: { host: metricsHost, port: cfg.metricsPort },
      flowMetricsAddress: { host: metricsHost, port: cfg.flowMetricsPort },
      grpcAddress: `0.0.0.0:${cfg.flowServerPort}`,
      ...(cfg.tlsEnabled ? { tls: tlsFilesIn(cfg.tlsDir) } : {}),
      runDir: cfg.runDir,
      metricsHandlers: cfg.metricsHandlers,
      peers: { clusterName: cfg.clusterName, ...(cfg.tlsEnabled ? { serverName: (node: string) => agentServerNameFor(cfg.tlsServerName, node) } : {}) },
      metricsMaxSeries: cfg.metricsMaxSeries,
      ...(cfg.exporter ? { exporter: exporterConfig(cfg.exporter) } : {}),
      log: (msg) => log('warn', `agent: ${msg}`),
    });
    log('info', `agent ${version} on node ${nodeName}: flow API :${cfg.flowServerPort}${cfg.tlsEnabled ? ` (mTLS, ${agentServerName(cfg.clusterName, nodeName)})` : ''}, status 127.0.0.1:${cfg.healthPort} and ${cfg.runDir}/agent.sock, metrics ${metricsHost}:${cfg.metricsPort}, flow metrics ${metricsHost}:${cfg.flowMetricsPort}`);
    await agent.start();
    stopStatus = publishNodeStatus(agent, source);
    const sig = await (o.until ?? untilSignal());
    log('info', `agent: ${typeof sig === 'string' ? sig : 'stop'}: closing servers and watches; programs stay attached, maps stay pinned`);
  } finally {
    stopStatus();
    await servers?.close();
    await agent.stop();
    dp.close();
  }
}
