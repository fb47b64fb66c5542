// The install's values: one typed object with defaults, like a Helm chart's values.yaml.
// Everything rendered into the cluster comes from these; nothing else varies between installs
// except the TLS material (install/tls-material.ts), which is generated at install time.
import { DEFAULT_IMAGE_REPOSITORY, imageName } from '../api/kube-names.ts';
import { DEFAULT_EXPORTER_VALUES, type ExporterValues } from '../api/exporter-values.ts';

export type PullPolicy = 'IfNotPresent' | 'Always' | 'Never';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Resource name (cpu, memory, ephemeral-storage) to quantity. */
export type ResourceList = Record<string, string>;

export interface Resources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface Values {
  /** Product version: the app.kubernetes.io/version label and the default image tag. */
  version: string;
  namespace: string;
  /** Name of this cluster in flows and in the agents' TLS server names. */
  clusterName: string;
  image: { repository: string; tag: string; digest: string; pullPolicy: PullPolicy };
  imagePullSecrets: string[];
  crds: { install: boolean };
  agent: {
    logLevel: LogLevel;
    bpffsRoot: string;
    /** A privileged init container mounts bpffs on /sys/fs/bpf when the host has not. */
    mountBpffs: boolean;
    /** Flows kept in memory per agent; a power of two minus one, as Hubble's ring requires. */
    flowRingSize: number;
    /** TCP ports whose payloads are parsed as HTTP for L7 visibility. */
    httpPorts: number[];
    ports: { health: number; metrics: number; flowMetrics: number; flowServer: number };
    /**
     * Flow metrics (Hubble's handlers). maxSeriesPerMetric bounds what traffic can create;
     * listenAddress is where both metrics ports listen: '' for the node's own IP (reachable by an
     * in-cluster Prometheus, not on every interface of a host-network pod), or an address.
     */
    metrics: { enabled: boolean; handlers: string[]; maxSeriesPerMetric: number; listenAddress: string };
    /**
     * Hubble's flow exporter: flows as JSON lines (`hubble observe -o json`) in a size-rotated
     * file on the node, under /var/run/netobs/. allowList/denyList: FlowFilters in ProtoJSON
     * (objects, or JSON strings as Hubble's values take them); fieldMask: Flow field paths.
     */
    exporter: ExporterValues;
    resources: Resources;
    tolerations: Toleration[];
    nodeSelector: Record<string, string>;
    priorityClassName: string;
    /** The agent finds pods' network namespaces under /var/run/netns; hostPID is for runtimes that keep them elsewhere. */
    hostPID: boolean;
    terminationGracePeriodSeconds: number;
    maxUnavailable: string;
    podAnnotations: Record<string, string>;
  };
  relay: {
    enabled: boolean;
    replicas: number;
    port: number;
    resources: Resources;
    tolerations: Toleration[];
    nodeSelector: Record<string, string>;
    /**
     * TLS with client certificates on the relay's port (4245). `false` is a compatibility mode
     * for clients that cannot present a certificate: anyone reaching the port reads every flow.
     * Needs tls.enabled (the netobs CA issues the certificates): tls.enabled=false makes the
     * relay plaintext as well.
     */
    tls: { enabled: boolean };
    /** A NetworkPolicy that admits only the relay port to the relay pods. */
    networkPolicy: { enabled: boolean };
  };
  /** mTLS between the relay and the agents' flow servers (and the CA of the relay's clients). */
  tls: { enabled: boolean; validityDays: number };
  dashboards: { enabled: boolean; label: string; labelValue: string; namespace: string };
  serviceMonitor: { enabled: boolean; interval: string; labels: Record<string, string> };
}

/**
 * The flow-metrics handlers of seed 004 plus `policy` and netobs's `tcp-connections`: the shipped
 * dashboards query all of them. DNS carries workloads so the golden dashboard shows DNS errors
 * per workload (a response's destination is the workload that asked).
 */
export const DEFAULT_METRICS_HANDLERS: readonly string[] = [
  'dns:labelsContext=source_namespace,source_workload,destination_namespace,destination_workload',
  'tcp-connections',
  'drop',
  'tcp',
  'flow:labelsContext=source_namespace,source_app,destination_namespace,destination_app',
  'flows-to-world:labelsContext=source_namespace,source_app,destination_namespace,destination_app',
  'port-distribution',
  'icmp',
  'policy',
  // Seed 004 adds source_ip and destination_ip: a series per address (and per pod restart).
  // Left out by default; a user who wants them sets the handler list.
  'httpV2:exemplars=true;labelsContext=source_namespace,source_workload,destination_namespace,destination_workload,traffic_direction',
];

export function defaultValues(version: string): Values {
  return {
    version,
    namespace: 'netobs-system',
    clusterName: 'default',
    image: { repository: DEFAULT_IMAGE_REPOSITORY, tag: '', digest: '', pullPolicy: 'IfNotPresent' },
    imagePullSecrets: [],
    crds: { install: true },
    agent: {
      logLevel: 'info',
      bpffsRoot: '/sys/fs/bpf/netobs',
      mountBpffs: true,
      flowRingSize: 4095,
      httpPorts: [80, 8080],
      ports: { health: 9879, metrics: 9962, flowMetrics: 9965, flowServer: 4244 },
      metrics: { enabled: true, handlers: [...DEFAULT_METRICS_HANDLERS], maxSeriesPerMetric: 10000, listenAddress: '' },
      exporter: { ...DEFAULT_EXPORTER_VALUES, allowList: [], denyList: [], fieldMask: [] },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      // Every node, tainted or not: a node without an agent is a node without enforcement.
      tolerations: [{ operator: 'Exists' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      priorityClassName: '',
      hostPID: false,
      terminationGracePeriodSeconds: 30,
      maxUnavailable: '1',
      podAnnotations: {},
    },
    relay: {
      enabled: true,
      replicas: 1,
      port: 4245,
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
      tolerations: [],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tls: { enabled: true },
      networkPolicy: { enabled: true },
    },
    tls: { enabled: true, validityDays: 1095 },
    dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', namespace: '' },
    serviceMonitor: { enabled: false, interval: '10s', labels: {} },
  };
}

/** Keys whose values are free-form maps or lists of objects: their inner keys are not checked. */
export const OPEN_KEYS: readonly string[] = [
  'agent.resources',
  'agent.tolerations',
  'agent.nodeSelector',
  'agent.podAnnotations',
  'relay.resources',
  'relay.tolerations',
  'relay.nodeSelector',
  'serviceMonitor.labels',
];

/** The image reference every role runs: repository:tag, pinned by digest when one is known. */
export function imageRef(v: Values): string {
  return imageName(v.image, v.version);
}
