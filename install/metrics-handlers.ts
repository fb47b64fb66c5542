// Flow-metrics handler specs, written as Hubble users write them:
// `httpV2:exemplars=true;labelsContext=source_ip,destination_ip`. Parsed here so that a bad spec is
// rejected at install time with its position named, not by an agent log line on every node.
// The agent reads the same strings (config key `metrics-handlers`) and may reuse parseMetricsHandler.

export const METRICS_HANDLERS = ['dns', 'drop', 'tcp', 'flow', 'flows-to-world', 'port-distribution', 'icmp', 'http', 'httpV2', 'policy'] as const;

export const LABELS_CONTEXT = [
  'source_ip', 'source_namespace', 'source_pod', 'source_workload', 'source_workload_kind', 'source_app',
  'destination_ip', 'destination_namespace', 'destination_pod', 'destination_workload', 'destination_workload_kind', 'destination_app',
  'traffic_direction',
] as const;

export const CONTEXT_SOURCES = ['identity', 'namespace', 'pod', 'pod-name', 'dns', 'ip', 'reserved-identity', 'workload', 'workload-name', 'app'] as const;

/** Options every handler takes, and those specific to one. */
const COMMON_OPTIONS = ['labelsContext', 'sourceContext', 'destinationContext', 'exemplars'];
const HANDLER_OPTIONS: Record<string, string[]> = {
  dns: ['query', 'ignoreAAAA'],
  'flows-to-world': ['any-drop', 'port', 'syn-only'],
};

export interface MetricsHandler {
  name: (typeof METRICS_HANDLERS)[number];
  options: Record<string, string>;
}

/** Parses one spec; throws an Error whose message is the reason (without the key). */
export function parseMetricsHandler(spec: string): MetricsHandler {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  if (!(METRICS_HANDLERS as readonly string[]).includes(name)) throw new Error(`unknown handler "${name}" (use ${METRICS_HANDLERS.join(', ')})`);
  const options: Record<string, string> = {};
  if (colon >= 0) {
    for (const part of spec.slice(colon + 1).split(';')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      const allowed = [...COMMON_OPTIONS, ...(HANDLER_OPTIONS[name] ?? [])];
      if (!allowed.includes(key)) throw new Error(`${name}: unknown option "${key}" (use ${allowed.join(', ')})`);
      if (key in options) throw new Error(`${name}: option "${key}" given twice`);
      checkOption(name, key, value);
      options[key] = value;
    }
  }
  return { name: name as MetricsHandler['name'], options };
}

function checkOption(handler: string, key: string, value: string): void {
  if (key === 'labelsContext') {
    for (const l of value.split(',')) {
      if (!(LABELS_CONTEXT as readonly string[]).includes(l)) throw new Error(`${handler}: unknown labelsContext "${l}" (use ${LABELS_CONTEXT.join(', ')})`);
    }
  } else if (key === 'sourceContext' || key === 'destinationContext') {
    for (const s of value.split('|')) {
      if (!(CONTEXT_SOURCES as readonly string[]).includes(s)) throw new Error(`${handler}: unknown ${key} "${s}" (use ${CONTEXT_SOURCES.join('|')})`);
    }
  } else if (key === 'exemplars' || key === 'query' || key === 'ignoreAAAA' || key === 'any-drop' || key === 'syn-only') {
    if (value !== '' && value !== 'true' && value !== 'false') throw new Error(`${handler}: ${key} must be true or false, not "${value}"`);
  }
}

/** The reason a spec is invalid, or undefined when it is valid. */
export function checkMetricsHandler(spec: unknown): string | undefined {
  if (typeof spec !== 'string') return `expected a string, got ${JSON.stringify(spec)}`;
  try {
    parseMetricsHandler(spec);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
