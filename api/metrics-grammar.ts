// The flow-metrics handler grammar that install (values check) and the agent (config key
// `metrics-handlers`) must agree on: which handlers exist, which options each takes, which
// context labels and sources are known. Adding a handler: a line in METRICS_HANDLER_OPTIONS and
// its factory in agent/metrics/handlers.ts (typed by this table); install then accepts it too
// (test/api/metrics-grammar.test.ts holds install and agent to this one list).

export const METRICS_HANDLER_OPTIONS = {
  flow: [],
  drop: [],
  tcp: [],
  dns: ['query', 'ignoreAAAA'],
  http: ['exemplars'],
  httpV2: ['exemplars'],
  icmp: [],
  'port-distribution': [],
  'flows-to-world': ['any-drop', 'port', 'syn-only'],
  policy: [],
  // netobs's own (golden signals, not Hubble's): see agent/metrics/golden-handlers.ts.
  'workload-http': ['namespaces'],
  'tcp-connections': [],
} as const satisfies Record<string, readonly string[]>;

/** The metrics of netobs's golden-signal handlers (agent/metrics/golden-handlers.ts), read by the golden dashboard. */
export const GOLDEN_METRICS = {
  routeRequests: 'netobs_workload_http_requests_total',
  routeDuration: 'netobs_workload_http_request_duration_seconds',
  tcpConnections: 'netobs_tcp_connections_total',
  tcpUntracked: 'netobs_tcp_connections_untracked_total',
} as const;

export type MetricsHandlerName = keyof typeof METRICS_HANDLER_OPTIONS;
export const METRICS_HANDLER_NAMES = Object.keys(METRICS_HANDLER_OPTIONS) as MetricsHandlerName[];

/** The seed's Helm values say `flow-to-world`; hubble's handler is `flows-to-world`. */
export const METRICS_HANDLER_ALIASES: Readonly<Record<string, MetricsHandlerName>> = { 'flow-to-world': 'flows-to-world' };

/**
 * Hubble handlers netobs knows and refuses, with the reason: counting them would need flows
 * netobs does not produce, and an always-empty metric would read as "no traffic" on a dashboard.
 * Install fails on them with this reason (install/metrics-handlers.ts), the agent likewise.
 */
export const METRICS_HANDLERS_REFUSED: Readonly<Record<string, string>> = {
  kafka: 'netobs does not parse Kafka, so there are no Kafka flows to count; remove it',
  sctp: 'netobs flows carry SCTP ports but not chunk types (hubble_sctp_chunk_types_total); count SCTP with flow or port-distribution instead',
  'flows-per-pod': 'not a handler; use flow:sourceContext=pod;destinationContext=pod for flows per pod',
};

/** Why a known-but-refused handler is refused, or undefined. */
export const refusedHandler = (name: string): string | undefined =>
  Object.hasOwn(METRICS_HANDLERS_REFUSED, name) ? METRICS_HANDLERS_REFUSED[name] : undefined;

/**
 * Context labels that name one pod (or its address): series carrying them belong to that pod and
 * are removed when it is deleted. Not among the default contexts (a label per IP is a series per IP).
 */
export const PER_POD_LABELS: readonly string[] = ['source_ip', 'source_pod', 'destination_ip', 'destination_pod'];
export const PER_POD_CONTEXTS: readonly string[] = ['pod', 'pod-name', 'ip'];

/** Handlers that write the same metric names, so at most one of each pair may be configured. */
export const METRICS_HANDLER_CONFLICTS: readonly (readonly [MetricsHandlerName, MetricsHandlerName, string])[] = [
  ['http', 'httpV2', 'hubble_http_requests_total'],
];

/**
 * Why a list of handler names cannot be configured together (a handler twice, or two that
 * conflict), or undefined. Names are the configured ones; aliases count as their handler.
 */
export function checkHandlerSet(names: readonly string[]): string | undefined {
  const seen = new Map<string, string>();
  for (const n of names) {
    const h = handlerName(n) ?? n;
    const prev = seen.get(h);
    if (prev !== undefined) return `metrics ${n}: configured twice${prev !== n ? ` (as ${prev})` : ''}`;
    for (const [a, b, metric] of METRICS_HANDLER_CONFLICTS) {
      const other = h === a ? b : h === b ? a : undefined;
      if (other && seen.has(other)) return `metrics ${n}: conflicts with ${seen.get(other)} (both write ${metric}); keep one`;
    }
    seen.set(h, n);
  }
  return undefined;
}

/** Options every handler takes: the context ones. */
export const CONTEXT_OPTIONS = ['labelsContext', 'sourceContext', 'destinationContext'] as const;

/** Options whose value is a boolean (empty means true). */
export const BOOLEAN_OPTIONS = ['exemplars', 'query', 'ignoreAAAA', 'any-drop', 'syn-only'] as const;

export const CONTEXT_LABELS = [
  'source_ip', 'source_namespace', 'source_pod', 'source_workload', 'source_workload_kind', 'source_app',
  'destination_ip', 'destination_namespace', 'destination_pod', 'destination_workload', 'destination_workload_kind',
  'destination_app', 'traffic_direction',
] as const;
export type ContextLabel = (typeof CONTEXT_LABELS)[number];

export const ENDPOINT_CONTEXTS = [
  'identity', 'namespace', 'pod', 'pod-name', 'dns', 'ip', 'reserved-identity', 'workload', 'workload-name', 'app',
] as const;
export type EndpointContext = (typeof ENDPOINT_CONTEXTS)[number];

/** The handler a configured name means (aliases resolved), or undefined for an unknown one. */
export function handlerName(name: string): MetricsHandlerName | undefined {
  const n = METRICS_HANDLER_ALIASES[name] ?? name;
  return Object.hasOwn(METRICS_HANDLER_OPTIONS, n) ? (n as MetricsHandlerName) : undefined;
}

/** The options a handler takes besides the context ones. */
export const handlerOptions = (name: MetricsHandlerName): readonly string[] => METRICS_HANDLER_OPTIONS[name];
