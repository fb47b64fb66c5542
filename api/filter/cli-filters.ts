// hubble observe filter flags → GetFlowsRequest whitelist/blacklist, with hubble's semantics
// (hubble/cmd/observe/flows_filter.go): each list keeps a "left" (source side) and a "right"
// (destination side) filter; flags about either end (--pod, --ip, --label…) put the source field
// on the left and the destination field on the right, so the list matches `left OR right`;
// directional and flow-wide flags go on both. Repeating a flag ORs its values, different flags
// AND, `--not` sends the single next flag to the blacklist. Namespace flags (-n, -A,
// --from-namespace, --to-namespace) are kept per list and only applied when the filters are
// materialized: they qualify pod and service names written without a namespace, or filter by
// namespace alone when the list names no pod or service on that side.
import type { FlowFilter } from '../types.ts';
import { TrafficDirection, Verdict } from '../types.ts';
import { DROP_REASON_ENUM } from '../names.ts';
import { enumArg, identityArg, tcpFlagsArg, typeArg, workloadArg } from './cli-filter-values.ts';
import type { FilterArg } from './cli-flags.ts';
import { compileFilters } from './filter.ts';
import { FilterError } from './filter-match.ts';

type Edit = (f: FlowFilter) => void;

// Flags that cannot be given together in one list (whitelist or blacklist), as hubble has them.
const CONFLICTS: readonly (readonly string[])[] = [
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-namespace', 'namespace', 'from-all-namespaces', 'all-namespaces'],
  ['from-fqdn', 'from-ip', 'ip', 'fqdn', 'from-pod', 'pod'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-namespace', 'namespace', 'to-all-namespaces', 'all-namespaces'],
  ['to-fqdn', 'to-ip', 'ip', 'fqdn', 'to-pod', 'pod'],
  ['to-pod', 'namespace', 'all-namespaces'],
  ['from-pod', 'namespace', 'all-namespaces'],
  ['to-service', 'namespace', 'all-namespaces'],
  ['from-service', 'namespace', 'all-namespaces'],
  ['label', 'from-label'], ['label', 'to-label'], ['service', 'from-service'], ['service', 'to-service'],
  ['port', 'to-port'], ['port', 'from-port'], ['identity', 'to-identity'], ['identity', 'from-identity'],
  ['workload', 'to-workload'], ['workload', 'from-workload'],
];

const namespaceOf = (name: string): string => (name.includes('/') ? (name.split('/')[0] ?? '') : '');

/** `ns/name` for every namespace, for names written without one; empty lists stay empty. */
function withNamespaces(names: readonly string[], namespaces: readonly string[]): string[] {
  if (namespaces.length === 0 || names.length === 0) return [...names];
  return names.flatMap((n) => (n.includes('/') ? [n] : namespaces.map((ns) => `${ns}/${n}`)));
}

function applyNamespaces(f: FlowFilter, namespaces: readonly string[], end: 'source' | 'destination'): void {
  const pod = `${end}_pod` as const;
  const svc = `${end}_service` as const;
  if (f[svc]) f[svc] = withNamespaces(f[svc], namespaces);
  if (f[pod]?.length) f[pod] = withNamespaces(f[pod], namespaces);
  else if (!f[svc]?.length) {
    // No pod and no service on this side: the namespace alone is the filter (`ns/` = any pod in
    // ns). hubble sends `/` for -A; netobs's server rejects that value (api/filter/filter-match.ts),
    // so "any namespace" alone is left out, which matches every flow instead of flows with a pod.
    const only = namespaces.filter((ns) => ns !== '').map((ns) => `${ns}/`);
    if (only.length) f[pod] = only;
  }
}

/** Deterministic text of a filter, to tell whether left and right ended up the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${k}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

class Tracker {
  left: FlowFilter | undefined;
  right: FlowFilter | undefined;
  readonly ns: string[] = [];
  readonly srcNs: string[] = [];
  readonly dstNs: string[] = [];
  readonly changed = new Set<string>();

  edit(side: 'left' | 'right' | 'both', edit: Edit): void {
    if (side !== 'right') edit((this.left ??= {}));
    if (side !== 'left') edit((this.right ??= {}));
  }

  track(name: string): void {
    this.changed.add(name);
    // hubble reports the first conflicting pair in the order of its groups.
    for (const group of CONFLICTS) {
      for (const flag of group) {
        if (!this.changed.has(flag)) continue;
        const other = group.find((g) => g !== flag && this.changed.has(g));
        if (other) throw new FilterError(`observe: filters --${flag} and --${other} cannot be combined`);
      }
    }
  }

  /** Pod and service names whose namespace contradicts a namespace flag, or each other. */
  checkNamespaces(f: FlowFilter | undefined): void {
    if (!f) return;
    const pairs: [readonly string[], string[] | undefined][] = [
      [this.ns, f.source_pod], [this.ns, f.source_service], [this.ns, f.destination_pod], [this.ns, f.destination_service],
      [this.srcNs, f.source_pod], [this.srcNs, f.source_service], [this.dstNs, f.destination_pod], [this.dstNs, f.destination_service],
    ];
    for (const [namespaces, names] of pairs) {
      for (const ns of namespaces) {
        for (const name of names ?? []) {
          const own = namespaceOf(name);
          if (own !== '' && own !== ns) throw new FilterError(`observe: namespace conflict: ${JSON.stringify(ns)} does not contain ${JSON.stringify(name)}`);
        }
      }
    }
    for (const [pods, services] of [[f.source_pod, f.source_service], [f.destination_pod, f.destination_service]] as const) {
      for (const pod of pods ?? []) {
        const podNs = namespaceOf(pod);
        if (podNs === '') continue;
        const svc = (services ?? []).find((s) => namespaceOf(s) !== podNs);
        if (svc !== undefined) throw new FilterError(`observe: namespace of service ${JSON.stringify(svc)} conflict with pod ${JSON.stringify(podNs)}`);
      }
    }
  }

  filters(): FlowFilter[] {
    if (!this.left && !this.right && !this.ns.length && !this.srcNs.length && !this.dstNs.length) return [];
    const left = (this.left ??= {});
    const right = (this.right ??= {});
    if (this.dstNs.length) for (const f of [left, right]) applyNamespaces(f, this.dstNs, 'destination');
    if (this.srcNs.length) for (const f of [left, right]) applyNamespaces(f, this.srcNs, 'source');
    if (this.ns.length) {
      applyNamespaces(left, this.ns, 'source');
      applyNamespaces(right, this.ns, 'destination');
    }
    if (canonical(left) === canonical(right)) return Object.keys(left).length ? [left] : [];
    return [left, right];
  }
}

function push<K extends keyof FlowFilter>(key: K, value: NonNullable<FlowFilter[K]>[number]): Edit {
  return (f) => {
    ((f[key] ??= [] as never) as unknown[]).push(value);
  };
}

function setFlag(t: Tracker, name: string, value: string): void {
  t.track(name);
  const dir = name.startsWith('from-') ? 'from' : name.startsWith('to-') ? 'to' : undefined;
  const base = dir ? name.slice(dir.length + 1) : name;
  const side = (src: keyof FlowFilter, dst: keyof FlowFilter, v: unknown): void => {
    if (dir === 'from') t.edit('both', push(src, v as never));
    else if (dir === 'to') t.edit('both', push(dst, v as never));
    else {
      t.edit('left', push(src, v as never));
      t.edit('right', push(dst, v as never));
    }
  };
  const nsList = dir === 'from' ? t.srcNs : dir === 'to' ? t.dstNs : t.ns;
  switch (base) {
    case 'namespace': nsList.push(value); break;
    case 'all-namespaces': nsList.push(''); break;
    case 'pod': side('source_pod', 'destination_pod', value); break;
    case 'service': side('source_service', 'destination_service', value); break;
    case 'label': side('source_label', 'destination_label', value); break;
    case 'ip': side('source_ip', 'destination_ip', value); break;
    case 'fqdn': side('source_fqdn', 'destination_fqdn', value); break;
    case 'port': side('source_port', 'destination_port', value); break;
    case 'identity': side('source_identity', 'destination_identity', identityArg(name, value)); break;
    case 'workload': side('source_workload', 'destination_workload', workloadArg(value)); break;
    case 'ipv4': t.edit('both', push('ip_version', 1)); break;
    case 'ipv6': t.edit('both', push('ip_version', 2)); break;
    case 'protocol': t.edit('both', push('protocol', value)); break;
    case 'verdict': t.edit('both', push('verdict', enumArg(name, Verdict, value) as never)); break;
    case 'drop-reason-desc': t.edit('both', push('drop_reason_desc', enumArg(name, DROP_REASON_ENUM, value))); break;
    case 'type': t.edit('both', push('event_type', typeArg(value))); break;
    case 'http-status': t.edit('both', push('http_status_code', value)); break;
    case 'http-method': t.edit('both', push('http_method', value)); break;
    case 'http-path': t.edit('both', push('http_path', value)); break;
    case 'http-url': t.edit('both', push('http_url', value)); break;
    case 'traffic-direction': t.edit('both', push('traffic_direction', enumArg(name, { INGRESS: TrafficDirection.INGRESS, EGRESS: TrafficDirection.EGRESS }, value) as never)); break;
    case 'node-name': t.edit('both', push('node_name', value)); break;
    case 'node-label': t.edit('both', push('node_labels', value)); break;
    case 'tcp-flags': t.edit('both', push('tcp_flags', tcpFlagsArg(value))); break;
    default: throw new FilterError(`observe: --${name}: not a filter flag`);
  }
  t.checkNamespaces(t.left);
  t.checkNamespaces(t.right);
}

export interface FlowFilters { whitelist: FlowFilter[]; blacklist: FlowFilter[] }

/** Builds the filters from the ordered filter flags (see cli-flags.ts scanFilterArgs). Throws FilterError. */
export function buildFlowFilters(args: readonly FilterArg[]): FlowFilters {
  const white = new Tracker();
  const black = new Tracker();
  let negate = false;
  for (const { name, value } of args) {
    if (name === 'not') {
      if (negate) throw new FilterError('observe: consecutive --not statements (--not negates the single filter after it)');
      negate = true;
      continue;
    }
    setFlag(negate ? black : white, name, value);
    negate = false;
  }
  if (negate) throw new FilterError('observe: trailing --not found in the arguments (--not must be followed by a filter flag)');
  const result = { whitelist: white.filters(), blacklist: black.filters() };
  compileFilters(result.whitelist, result.blacklist); // reject bad values (CIDRs, regexes, ports) before asking the server
  return result;
}
