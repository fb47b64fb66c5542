// Flow-metrics handler specs, written as Hubble users write them:
// `httpV2:exemplars=true;labelsContext=source_ip,destination_ip`. Parsed here so that a bad spec is
// rejected at install time with its position named, not by an agent log line on every node.
// The agent reads the same strings (config key `metrics-handlers`); both take handlers, options and
// context names from api/metrics-grammar.ts, so install accepts exactly what the agent accepts.

import {
  BOOLEAN_OPTIONS, CONTEXT_LABELS as LABELS_CONTEXT, CONTEXT_OPTIONS, ENDPOINT_CONTEXTS as CONTEXT_SOURCES,
  handlerName, handlerOptions, METRICS_HANDLER_ALIASES, METRICS_HANDLER_NAMES, type MetricsHandlerName,
} from '../api/metrics-grammar.ts';

/** The handlers the agent implements, and the seed's aliases for them (api/metrics-grammar.ts). */
export const METRICS_HANDLERS = [...METRICS_HANDLER_NAMES, ...Object.keys(METRICS_HANDLER_ALIASES)];
export { LABELS_CONTEXT, CONTEXT_SOURCES };

export interface MetricsHandler {
  name: MetricsHandlerName;
  options: Record<string, string>;
}

/** Parses one spec; throws an Error whose message is the reason (without the key). */
export function parseMetricsHandler(spec: string): MetricsHandler {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const handler = handlerName(name);
  if (!handler) throw new Error(`unknown handler "${name}" (use ${METRICS_HANDLERS.join(', ')})`);
  const options: Record<string, string> = {};
  if (colon >= 0) {
    for (const part of spec.slice(colon + 1).split(';')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      const allowed = [...CONTEXT_OPTIONS, ...handlerOptions(handler)];
      // A value's shape first (a boolean option must read true or false), then whether this handler takes it.
      checkOption(name, key, value);
      if (!allowed.includes(key)) throw new Error(`${name}: unknown option "${key}" (use ${allowed.join(', ')})`);
      if (key in options) throw new Error(`${name}: option "${key}" given twice`);
      options[key] = value;
    }
  }
  return { name: handler, options };
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
  } else if ((BOOLEAN_OPTIONS as readonly string[]).includes(key)) {
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
