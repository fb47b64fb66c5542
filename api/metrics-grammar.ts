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
  httpV2: ['exemplars'],
  icmp: [],
  'port-distribution': [],
  'flows-to-world': ['any-drop', 'port', 'syn-only'],
  policy: [],
} as const satisfies Record<string, readonly string[]>;

export type MetricsHandlerName = keyof typeof METRICS_HANDLER_OPTIONS;
export const METRICS_HANDLER_NAMES = Object.keys(METRICS_HANDLER_OPTIONS) as MetricsHandlerName[];

/** The seed's Helm values say `flow-to-world`; hubble's handler is `flows-to-world`. */
export const METRICS_HANDLER_ALIASES: Readonly<Record<string, MetricsHandlerName>> = { 'flow-to-world': 'flows-to-world' };

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
