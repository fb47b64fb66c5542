// The ConfigMap netobs-config: the contract between the installer and the agent and relay roles.
// Install writes flat string keys (as cilium-config does, so `kubectl get cm -o yaml` reads
// well); the roles mount the ConfigMap at CONFIG_DIR (one file per key) and call parseConfig.
import { NAMES } from './kube-names.ts';
import { parseExporterData, renderExporterData, type ExporterValues } from './exporter-values.ts';

/** What renderConfigData reads of install's Values (install/values.ts), so that api/ depends on nothing. */
export interface ConfigValues {
  version: string;
  namespace: string;
  clusterName: string;
  agent: {
    logLevel: string;
    bpffsRoot: string;
    flowRingSize: number;
    httpPorts: readonly number[];
    ports: { health: number; metrics: number; flowMetrics: number; flowServer: number };
    metrics: { enabled: boolean; handlers: readonly string[]; maxSeriesPerMetric: number; listenAddress: string };
    exporter: ExporterValues;
  };
  tls: { enabled: boolean };
  relay: { port: number; tls: { enabled: boolean } };
}

export const CONFIG_DIR = '/etc/netobs/config';
export const TLS_DIR = '/etc/netobs/tls';
/** The relay's server certificate for its client port. */
export const RELAY_TLS_DIR = '/etc/netobs/relay-tls';
/** How often agent and relay look at their certificate files: a rotated Secret is used without a restart. */
export const TLS_RELOAD_MS = 10_000;
/** Where the agent serves its local API (a Unix socket), shared with the host for `kubectl netobs` debugging. */
export const RUN_DIR = '/var/run/netobs';
/** The host's cgroup v2 hierarchy (read-only), to map sockets and processes to pods. */
export const CGROUP_ROOT = '/host/sys/fs/cgroup';
/** The host's named network namespaces (read-only), where runtimes keep pods' namespaces. */
export const NETNS_DIR = '/host/var/run/netns';
/** The node's CNI bin and conf dirs (hostPath /opt/cni/bin, /etc/cni/net.d) in the agent's
 * container: it installs its chained CNI plugin there (agent/cni/install.ts). */
export const CNI_BIN_DIR = '/host/opt/cni/bin';
export const CNI_CONF_DIR = '/host/etc/cni/net.d';

export interface NetobsConfig {
  version: string;
  namespace: string;
  clusterName: string;
  logLevel: string;
  bpffsRoot: string;
  flowRingSize: number;
  httpPorts: number[];
  healthPort: number;
  metricsPort: number;
  flowMetricsPort: number;
  flowServerPort: number;
  /** Flow-metrics handler specs (install/metrics-handlers.ts parses one); empty when disabled. */
  metricsHandlers: string[];
  /** Most series one flow metric may hold (0: no cap). */
  metricsMaxSeries: number;
  /** Where the metrics ports listen; '' for the node's IP (env HOST_IP). */
  metricsListenAddress: string;
  /** The flow exporter (unchecked: api/exporter-config.ts checks it), absent when off. */
  exporter?: ExporterValues;
  tlsEnabled: boolean;
  tlsDir: string;
  /** The name the relay expects in agent certificates; `*` stands for the node name. */
  tlsServerName: string;
  runDir: string;
  cgroupRoot: string;
  netnsDir: string;
  /** The agent's own DaemonSet: its deletion is how an agent knows it is being uninstalled. */
  agentDaemonSet: string;
  relayPort: number;
  /** The relay's client port requires TLS with a client certificate of the netobs CA. */
  relayTlsEnabled: boolean;
  relayTlsDir: string;
  /** Label selector of the agent pods, for the relay to find them in `namespace`. */
  agentSelector: string;
}

export function agentServerName(clusterName: string, node = '*'): string {
  return `${node}.${clusterName}.agent.netobs.io`;
}

/** The name a node's agent presents, from the tls-server-name pattern (`*` = the node as one DNS label). */
export function agentServerNameFor(pattern: string, node: string): string {
  return pattern.replace('*', node.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
}

/** The name in the relay's server certificate, which clients check. */
export function relayServerName(clusterName: string): string {
  return `${clusterName}.relay.netobs.io`;
}

export function renderConfigData(v: ConfigValues): Record<string, string> {
  return {
    version: v.version,
    namespace: v.namespace,
    'cluster-name': v.clusterName,
    'log-level': v.agent.logLevel,
    'bpffs-root': v.agent.bpffsRoot,
    'flow-ring-size': String(v.agent.flowRingSize),
    'http-ports': v.agent.httpPorts.join(','),
    'health-port': String(v.agent.ports.health),
    'metrics-port': String(v.agent.ports.metrics),
    'flow-metrics-port': String(v.agent.ports.flowMetrics),
    'flow-server-port': String(v.agent.ports.flowServer),
    // Handler specs contain no spaces; space-separated like Cilium's hubble-metrics key.
    'metrics-handlers': v.agent.metrics.enabled ? v.agent.metrics.handlers.join(' ') : '',
    'metrics-max-series': String(v.agent.metrics.maxSeriesPerMetric),
    'metrics-listen-address': v.agent.metrics.listenAddress,
    ...renderExporterData(v.agent.exporter),
    'tls-enabled': String(v.tls.enabled),
    'tls-dir': TLS_DIR,
    'tls-server-name': agentServerName(v.clusterName),
    'run-dir': RUN_DIR,
    'cgroup-root': CGROUP_ROOT,
    'netns-dir': NETNS_DIR,
    'agent-daemonset': NAMES.agent,
    'relay-port': String(v.relay.port),
    'relay-tls-enabled': String(v.tls.enabled && v.relay.tls.enabled),
    'relay-tls-dir': RELAY_TLS_DIR,
    'agent-selector': `app.kubernetes.io/name=${NAMES.agent}`,
  };
}

/** Parses the ConfigMap's data (or the files of CONFIG_DIR); a missing or bad key is an error naming it. */
export function parseConfig(data: Record<string, string | undefined>): NetobsConfig {
  const get = (k: string): string => {
    const s = data[k];
    if (s === undefined) throw new Error(`config ${NAMES.config}: key ${k} is missing`);
    return s.trim();
  };
  const num = (k: string): number => {
    const n = Number(get(k));
    if (!Number.isInteger(n) || n < 0) throw new Error(`config ${NAMES.config}: key ${k}: "${get(k)}" is not a non-negative integer`);
    return n;
  };
  // Keys added after a release: an older ConfigMap (agent upgraded first) reads as the old behaviour.
  const optional = (k: string, dflt: string): string => (data[k] === undefined ? dflt : get(k));
  const bool = (k: string): boolean => {
    const s = get(k);
    if (s !== 'true' && s !== 'false') throw new Error(`config ${NAMES.config}: key ${k}: "${s}" is not true or false`);
    return s === 'true';
  };
  let exporter: ExporterValues | undefined;
  try {
    exporter = parseExporterData(data);
  } catch (err) {
    throw new Error(`config ${NAMES.config}: ${(err as Error).message}`);
  }
  return {
    ...(exporter ? { exporter } : {}),
    version: get('version'),
    namespace: get('namespace'),
    clusterName: get('cluster-name'),
    logLevel: get('log-level'),
    bpffsRoot: get('bpffs-root'),
    flowRingSize: num('flow-ring-size'),
    httpPorts: get('http-ports') ? get('http-ports').split(',').map(Number) : [],
    healthPort: num('health-port'),
    metricsPort: num('metrics-port'),
    flowMetricsPort: num('flow-metrics-port'),
    flowServerPort: num('flow-server-port'),
    metricsHandlers: get('metrics-handlers').split(/\s+/).filter(Boolean),
    metricsMaxSeries: data['metrics-max-series'] === undefined ? 0 : num('metrics-max-series'),
    metricsListenAddress: optional('metrics-listen-address', '0.0.0.0'),
    tlsEnabled: bool('tls-enabled'),
    tlsDir: get('tls-dir'),
    tlsServerName: get('tls-server-name'),
    runDir: get('run-dir'),
    cgroupRoot: get('cgroup-root'),
    netnsDir: get('netns-dir'),
    agentDaemonSet: get('agent-daemonset'),
    relayPort: num('relay-port'),
    relayTlsEnabled: bool('relay-tls-enabled'),
    relayTlsDir: get('relay-tls-dir'),
    agentSelector: get('agent-selector'),
  };
}
