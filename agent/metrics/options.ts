// Parsing of the hubble metrics configuration: handler specs such as
//   dns drop tcp flow port-distribution icmp httpV2:exemplars=true;labelsContext=source_ip,source_namespace
// (a list, or one string separated by spaces), each `name[:opt[=value];opt…]`.
import { checkHandlerSet } from '../../api/metrics-grammar.ts';
import { CONTEXT_LABELS, ENDPOINT_CONTEXTS, type ContextLabel, type EndpointContext } from './context.ts';

export class MetricsConfigError extends Error {
  override name = 'MetricsConfigError';
}

export interface HandlerSpec {
  name: string;
  /** Options other than the context ones, e.g. {exemplars: 'true', query: ''}. */
  options: Record<string, string>;
  labelsContext: ContextLabel[];
  sourceContext: EndpointContext[];
  destinationContext: EndpointContext[];
}

function endpointContexts(handler: string, option: string, value: string): EndpointContext[] {
  return value.split('|').map((v) => {
    if (!(ENDPOINT_CONTEXTS as readonly string[]).includes(v)) {
      throw new MetricsConfigError(`metrics ${handler}: ${option}=${value}: unknown context ${JSON.stringify(v)} (one of ${ENDPOINT_CONTEXTS.join(', ')})`);
    }
    return v as EndpointContext;
  });
}

export function parseHandlerSpec(spec: string): HandlerSpec {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (name === '') throw new MetricsConfigError(`metrics ${JSON.stringify(spec)}: empty handler name`);
  const out: HandlerSpec = { name, options: {}, labelsContext: [], sourceContext: [], destinationContext: [] };
  if (colon < 0) return out;
  for (const part of spec.slice(colon + 1).split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key === 'labelsContext') {
      out.labelsContext = value.split(',').map((v) => v.trim()).filter(Boolean).map((v) => {
        if (!(CONTEXT_LABELS as readonly string[]).includes(v)) {
          throw new MetricsConfigError(`metrics ${name}: labelsContext: unknown label ${JSON.stringify(v)} (one of ${CONTEXT_LABELS.join(', ')})`);
        }
        return v as ContextLabel;
      });
    } else if (key === 'sourceContext') out.sourceContext = endpointContexts(name, key, value);
    else if (key === 'destinationContext') out.destinationContext = endpointContexts(name, key, value);
    else out.options[key] = value;
  }
  return out;
}

/** Splits a configuration (string or list) into handler specs. */
export function parseMetricsConfig(config: string | readonly string[]): HandlerSpec[] {
  const items = typeof config === 'string' ? config.split(/\s+/) : config.flatMap((c) => c.split(/\s+/));
  const specs = items.filter((s) => s.trim() !== '').map(parseHandlerSpec);
  const why = checkHandlerSet(specs.map((s) => s.name));
  if (why) throw new MetricsConfigError(why);
  return specs;
}
