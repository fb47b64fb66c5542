// Context labels that hubble metric handlers add on request: labelsContext (one label per
// value: source_ip, destination_namespace, traffic_direction…) and sourceContext /
// destinationContext (one `source` / `destination` label from the first non-empty of a `|` list).
import type { Endpoint, Flow } from '../../api/types.ts';
import { TrafficDirection } from '../../api/types.ts';
import { MIN_ALLOCATED_IDENTITY, RESERVED_IDENTITY } from '../../api/names.ts';
import { parseLabel } from '../../api/filter/label-selector.ts';
import type { HandlerSpec } from './options.ts';

export { CONTEXT_LABELS, type ContextLabel } from '../../api/metrics-grammar.ts';

export { ENDPOINT_CONTEXTS, type EndpointContext } from '../../api/metrics-grammar.ts';
import type { ContextLabel, EndpointContext } from '../../api/metrics-grammar.ts';

const APP_KEYS = ['app.kubernetes.io/name', 'k8s-app', 'app'];

/** The app of an endpoint from its k8s labels (app.kubernetes.io/name, then k8s-app, then app). */
export function appOf(ep: Endpoint | undefined): string {
  const labels = (ep?.labels ?? []).map(parseLabel).filter((l) => l.source === 'k8s');
  for (const k of APP_KEYS) {
    const hit = labels.find((l) => l.key === k);
    if (hit) return hit.value;
  }
  return '';
}

interface Side { ep: Endpoint | undefined; ip: string; names: string[] }
const sideOf = (f: Flow, src: boolean): Side =>
  src ? { ep: f.source, ip: f.IP?.source ?? '', names: f.source_names ?? [] }
    : { ep: f.destination, ip: f.IP?.destination ?? '', names: f.destination_names ?? [] };

function endpointValue(ctx: EndpointContext, s: Side): string {
  const ep = s.ep;
  switch (ctx) {
    case 'identity': return (ep?.labels ?? []).join(',');
    case 'namespace': return ep?.namespace ?? '';
    case 'pod': return ep?.pod_name ? `${ep.namespace ? `${ep.namespace}/` : ''}${ep.pod_name}` : '';
    case 'pod-name': return ep?.pod_name ?? '';
    case 'dns': return s.names[0] ?? '';
    case 'ip': return s.ip;
    case 'reserved-identity': {
      const id = ep?.identity ?? 0;
      return id > 0 && id < MIN_ALLOCATED_IDENTITY && RESERVED_IDENTITY[id] ? `reserved:${RESERVED_IDENTITY[id]}` : '';
    }
    case 'workload': {
      const w = ep?.workloads?.[0]?.name;
      return w ? `${ep?.namespace ? `${ep.namespace}/` : ''}${w}` : '';
    }
    case 'workload-name': return ep?.workloads?.[0]?.name ?? '';
    case 'app': return appOf(ep);
  }
}

function labelValue(label: ContextLabel, f: Flow): string {
  if (label === 'traffic_direction') {
    return f.traffic_direction === TrafficDirection.INGRESS ? 'ingress' : f.traffic_direction === TrafficDirection.EGRESS ? 'egress' : 'unknown';
  }
  const s = sideOf(f, label.startsWith('source_'));
  switch (label.slice(label.indexOf('_') + 1)) {
    case 'ip': return s.ip;
    case 'namespace': return s.ep?.namespace ?? '';
    case 'pod': return s.ep?.pod_name ?? '';
    case 'workload': return s.ep?.workloads?.[0]?.name ?? '';
    case 'workload_kind': return s.ep?.workloads?.[0]?.kind ?? '';
    default: return appOf(s.ep);
  }
}

/** Label names and a per-flow value function for one handler's context options. */
export interface LabelContext { names: string[]; values(flow: Flow): string[] }

export function labelContext(spec: Pick<HandlerSpec, 'labelsContext' | 'sourceContext' | 'destinationContext'>): LabelContext {
  const names: string[] = [];
  if (spec.sourceContext.length) names.push('source');
  if (spec.destinationContext.length) names.push('destination');
  names.push(...spec.labelsContext);
  const first = (ctxs: EndpointContext[], s: Side): string => {
    for (const c of ctxs) {
      const v = endpointValue(c, s);
      if (v) return v;
    }
    return '';
  };
  return {
    names,
    values(f) {
      const out: string[] = [];
      if (spec.sourceContext.length) out.push(first(spec.sourceContext, sideOf(f, true)));
      if (spec.destinationContext.length) out.push(first(spec.destinationContext, sideOf(f, false)));
      for (const l of spec.labelsContext) out.push(labelValue(l, f));
      return out;
    },
  };
}
