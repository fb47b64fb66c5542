// hubble observe filter flags → GetFlowsRequest whitelist/blacklist, built the way hubble does:
// each list keeps a "left" (source side) and a "right" (destination side) filter; flags about
// either end (--pod, --ip, --label…) put the source field on the left and the destination field
// on the right, so the result is `left OR right`; directional and flow-wide flags go on both.
// Repeating a flag ORs its values; different flags AND; `--not` sends the next flag to the
// blacklist. netobs addition, as kubectl users expect: -n gives the namespace of pod and
// service names written without one (and filters by namespace only when no such flag is used).
import type { FlowFilter } from '../../api/types.ts';
import { DropReason, TrafficDirection, Verdict } from '../../api/types.ts';
import { enumArg, identityArg, tcpFlagsArg, typeArg, workloadArg } from './cli-filter-values.ts';
import type { FilterArg } from './cli-flags.ts';
import { compileFilters } from './filter.ts';
import { FilterError } from './filter-match.ts';

type Side = 'left' | 'right' | 'both';
type Edit = (f: FlowFilter) => void;

const CONFLICTS: readonly (readonly string[])[] = [
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-namespace', 'namespace', 'from-pod', 'pod'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-namespace', 'namespace', 'to-pod', 'pod'],
  ['label', 'from-label'], ['label', 'to-label'], ['service', 'from-service'], ['service', 'to-service'],
  ['port', 'to-port'], ['port', 'from-port'], ['identity', 'to-identity'], ['identity', 'from-identity'],
  ['workload', 'to-workload'], ['workload', 'from-workload'],
];

class Tracker {
  left: FlowFilter | undefined;
  right: FlowFilter | undefined;
  readonly changed = new Set<string>();

  apply(side: Side, edit: Edit): void {
    if (side !== 'right') edit((this.left ??= {}));
    if (side !== 'left') edit((this.right ??= {}));
  }

  track(name: string): void {
    this.changed.add(name);
    for (const group of CONFLICTS) {
      if (!group.includes(name)) continue;
      const other = group.find((g) => g !== name && this.changed.has(g));
      if (other) throw new FilterError(`observe: filters --${other} and --${name} cannot be combined (use --from-… and --to-… flags)`);
    }
  }

  filters(): FlowFilter[] {
    if (!this.left && !this.right) return [];
    if (JSON.stringify(this.left) === JSON.stringify(this.right)) return [this.left as FlowFilter];
    return [this.left, this.right].filter((f): f is FlowFilter => f !== undefined);
  }
}

function push<K extends keyof FlowFilter>(key: K, value: NonNullable<FlowFilter[K]>[number]): Edit {
  return (f) => {
    ((f[key] ??= [] as never) as unknown[]).push(value);
  };
}

/** Source field on the left, destination field on the right. */
function eitherEnd(t: Tracker, src: keyof FlowFilter, dst: keyof FlowFilter, value: unknown): void {
  t.apply('left', push(src, value as never));
  t.apply('right', push(dst, value as never));
}

export interface FilterContext { namespaces: string[]; allNamespaces: boolean }

/** A pod or service name with its namespace made explicit. */
function qualify(name: string, ctx: FilterContext): string[] {
  if (name.includes('/')) return [name];
  if (ctx.allNamespaces) return [`/${name}`];
  if (ctx.namespaces.length > 0) return ctx.namespaces.map((ns) => `${ns}/${name}`);
  return [name];
}

const NAMED_ENDPOINT_FLAGS = new Set(['pod', 'from-pod', 'to-pod', 'service', 'from-service', 'to-service']);

function setFlag(t: Tracker, name: string, value: string, ctx: FilterContext): void {
  t.track(name);
  const dir = name.startsWith('from-') ? 'from' : name.startsWith('to-') ? 'to' : undefined;
  const base = dir ? name.slice(dir.length + 1) : name;
  const side = (src: keyof FlowFilter, dst: keyof FlowFilter, v: unknown): void => {
    if (dir === 'from') t.apply('both', push(src, v as never));
    else if (dir === 'to') t.apply('both', push(dst, v as never));
    else eitherEnd(t, src, dst, v);
  };
  switch (base) {
    case 'namespace': return side('source_pod', 'destination_pod', `${value}/`);
    case 'pod': for (const v of qualify(value, ctx)) side('source_pod', 'destination_pod', v); return;
    case 'service': for (const v of qualify(value, ctx)) side('source_service', 'destination_service', v); return;
    case 'label': return side('source_label', 'destination_label', value);
    case 'ip': return side('source_ip', 'destination_ip', value);
    case 'fqdn': return side('source_fqdn', 'destination_fqdn', value);
    case 'port': return side('source_port', 'destination_port', value);
    case 'identity': return side('source_identity', 'destination_identity', identityArg(name, value));
    case 'workload': return side('source_workload', 'destination_workload', workloadArg(value));
    case 'ipv4': return t.apply('both', push('ip_version', 1));
    case 'ipv6': return t.apply('both', push('ip_version', 2));
    case 'protocol': return t.apply('both', push('protocol', value));
    case 'verdict': return t.apply('both', push('verdict', enumArg(name, Verdict, value) as never));
    case 'drop-reason-desc': return t.apply('both', push('drop_reason_desc', enumArg(name, DropReason, value)));
    case 'type': return t.apply('both', push('event_type', typeArg(value)));
    case 'http-status': return t.apply('both', push('http_status_code', value));
    case 'http-method': return t.apply('both', push('http_method', value));
    case 'http-path': return t.apply('both', push('http_path', value));
    case 'http-url': return t.apply('both', push('http_url', value));
    case 'traffic-direction': return t.apply('both', push('traffic_direction', enumArg(name, { INGRESS: TrafficDirection.INGRESS, EGRESS: TrafficDirection.EGRESS }, value) as never));
    case 'node-name': return t.apply('both', push('node_name', value));
    case 'node-label': return t.apply('both', push('node_labels', value));
    case 'tcp-flags': return t.apply('both', push('tcp_flags', tcpFlagsArg(value)));
    default: throw new FilterError(`observe: --${name}: not a filter flag`);
  }
}

export interface FlowFilters { whitelist: FlowFilter[]; blacklist: FlowFilter[] }

/** Builds the filters from the ordered filter flags (see cli-flags.ts scanFilterArgs). Throws FilterError. */
export function buildFlowFilters(args: readonly FilterArg[]): FlowFilters {
  const ctx: FilterContext = {
    namespaces: args.filter((a) => a.name === 'namespace').map((a) => a.value),
    allNamespaces: args.some((a) => a.name === 'all-namespaces'),
  };
  // With named pods or services, -n only qualifies their names.
  const nsIsDefault = args.some((a) => NAMED_ENDPOINT_FLAGS.has(a.name));
  const white = new Tracker();
  const black = new Tracker();
  let negate = false;
  for (const { name, value } of args) {
    if (name === 'not') {
      if (negate) throw new FilterError('observe: consecutive --not flags (--not negates the single filter after it)');
      negate = true;
      continue;
    }
    if (name === 'all-namespaces' || (name === 'namespace' && nsIsDefault)) {
      if (negate) throw new FilterError(`observe: --not cannot negate --${name} here (negate --pod or --from-namespace instead)`);
      continue;
    }
    setFlag(negate ? black : white, name, value, ctx);
    negate = false;
  }
  if (negate) throw new FilterError('observe: --not must be followed by a filter flag');
  const result = { whitelist: white.filters(), blacklist: black.filters() };
  compileFilters(result.whitelist, result.blacklist); // reject bad values (CIDRs, regexes, ports) before asking the server
  return result;
}
