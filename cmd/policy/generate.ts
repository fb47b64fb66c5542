// `policy generate` (pure): least-privilege policies from observed flows. Every connection a
// workload of the namespace opened or accepted (the first packet of it, forwarded) becomes an
// allow of exactly that peer and port; nothing else is allowed once the policies are applied,
// because selecting a workload makes it default-deny in both directions. A connection counts
// once it was answered (a forwarded reply in the flows): an attempt the server's policy dropped
// adds nothing, though the client's egress forwarded its SYN.
// Peers: pods by their workload's labels (the labels all its observed pods share, without
// per-pod or per-revision ones), reserved identities by entity, world addresses by /32 CIDR.
import type { Endpoint, Flow } from '../../api/types.ts';
import { Verdict } from '../../api/types.ts';

export type GeneratedKind = 'netobs' | 'k8s';

export interface GenerateOptions {
  namespace: string;
  /** Only this workload's policy (by workload or pod name). */
  workload?: string | undefined;
  kind: GeneratedKind;
  /** Mark the policies audit-only (annotation netobs.io/audit), to watch them before enforcing. */
  audit: boolean;
}

export const AUDIT_ANNOTATION = 'netobs.io/audit';
const NS_LABEL = 'io.kubernetes.pod.namespace';

// Labels that differ between pods of one workload or between its revisions.
const VOLATILE = [/^pod-template-hash$/, /^controller-revision-hash$/, /^pod-template-generation$/, /^statefulset\.kubernetes\.io\/pod-name$/,
  /^apps\.kubernetes\.io\/pod-index$/, /^batch\.kubernetes\.io\//, /^job-name$/, /^controller-uid$/, /^io\.kubernetes\.pod\./, /^io\.cilium\./, /^io\.netobs\./, /^netobs\.io\//];

type Proto = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';
interface PortKey { proto: Proto; port: number }

interface Workload { namespace: string; name: string; labels: Map<string, string> | undefined }

/** A peer of a rule: a workload (by labels), a reserved entity or a world address. */
type Peer = { kind: 'workload'; w: Workload } | { kind: 'entity'; entity: string } | { kind: 'cidr'; cidr: string; names: string[] };

const ENTITY_OF: Record<string, string> = {
  'reserved:host': 'host', 'reserved:remote-node': 'remote-node', 'reserved:kube-apiserver': 'kube-apiserver',
  'reserved:health': 'health', 'reserved:ingress': 'ingress', 'reserved:init': 'init', 'reserved:unmanaged': 'unmanaged',
};

function k8sLabels(ep: Endpoint): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of ep.labels ?? []) {
    if (!l.startsWith('k8s:')) continue;
    const kv = l.slice(4);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (key === NS_LABEL || VOLATILE.some((r) => r.test(key))) continue;
    out.set(key, eq < 0 ? '' : kv.slice(eq + 1));
  }
  return out;
}

const workloadName = (ep: Endpoint): string => ep.workloads?.[0]?.name ?? ep.pod_name ?? '';

function l4Of(f: Flow): PortKey | undefined {
  const l4 = f.l4;
  if (l4?.TCP) return l4.TCP.flags?.SYN && !l4.TCP.flags.ACK ? { proto: 'TCP', port: l4.TCP.destination_port ?? 0 } : undefined;
  if (l4?.UDP) return { proto: 'UDP', port: l4.UDP.destination_port ?? 0 };
  if (l4?.SCTP) return { proto: 'SCTP', port: l4.SCTP.destination_port ?? 0 };
  // An echo request opens an ICMP exchange; other ICMP is an error or a reply.
  if (l4?.ICMPv4) return l4.ICMPv4.type === 8 ? { proto: 'ICMP', port: 8 } : undefined;
  if (l4?.ICMPv6) return l4.ICMPv6.type === 128 ? { proto: 'ICMPv6', port: 128 } : undefined;
  return undefined;
}

/** A connection's key as its client opened it, from a first packet or (reversed) from a reply. */
function connKey(f: Flow, reply: boolean): string {
  const l4 = f.l4;
  const [sp, dp] = l4?.TCP ? [l4.TCP.source_port, l4.TCP.destination_port] : l4?.UDP ? [l4.UDP.source_port, l4.UDP.destination_port] : l4?.SCTP ? [l4.SCTP.source_port, l4.SCTP.destination_port] : [0, 0];
  const proto = l4?.TCP ? 'tcp' : l4?.UDP ? 'udp' : l4?.SCTP ? 'sctp' : 'icmp';
  const [src, dst] = [f.IP?.source ?? '', f.IP?.destination ?? ''];
  return reply ? `${proto}|${dst}|${dp ?? 0}|${src}|${sp ?? 0}` : `${proto}|${src}|${sp ?? 0}|${dst}|${dp ?? 0}`;
}

/** What one workload was seen doing: peers per direction, each with its ports. */
interface Seen { w: Workload; ingress: Map<string, { peer: Peer; ports: Map<string, PortKey> }>; egress: Map<string, { peer: Peer; ports: Map<string, PortKey> }> }

export interface GenerateResult {
  policies: Record<string, unknown>[];
  /** Connections used, and flows left out because they were dropped, replies or not a connection start. */
  used: number;
  skipped: number;
}

export function generatePolicies(flows: readonly Flow[], o: GenerateOptions): GenerateResult {
  const workloads = new Map<string, Workload>();
  const seen = new Map<string, Seen>();
  const workloadOf = (ep: Endpoint): Workload | undefined => {
    if (!ep.pod_name || !ep.namespace) return undefined;
    const key = `${ep.namespace}/${workloadName(ep)}`;
    let w = workloads.get(key);
    if (!w) workloads.set(key, (w = { namespace: ep.namespace, name: workloadName(ep), labels: undefined }));
    // The selector is what every observed pod of the workload carries.
    const mine = k8sLabels(ep);
    if (!w.labels) w.labels = mine;
    else for (const [k, v] of w.labels) if (mine.get(k) !== v) w.labels.delete(k);
    return w;
  };
  const peerOf = (ep: Endpoint | undefined, ip: string | undefined, names: string[]): Peer | undefined => {
    if (ep?.pod_name) {
      const w = workloadOf(ep);
      return w && { kind: 'workload', w };
    }
    const reserved = (ep?.labels ?? []).find((l) => ENTITY_OF[l]);
    if (reserved) return { kind: 'entity', entity: ENTITY_OF[reserved]! };
    if (ip) return { kind: 'cidr', cidr: ip.includes(':') ? `${ip}/128` : `${ip}/32`, names };
    return undefined;
  };
  const peerKey = (p: Peer): string => (p.kind === 'workload' ? `w:${p.w.namespace}/${p.w.name}` : p.kind === 'entity' ? `e:${p.entity}` : `c:${p.cidr}`);
  const record = (w: Workload, dir: 'ingress' | 'egress', peer: Peer, port: PortKey) => {
    const key = `${w.namespace}/${w.name}`;
    let s = seen.get(key);
    if (!s) seen.set(key, (s = { w, ingress: new Map(), egress: new Map() }));
    const pk = peerKey(peer);
    let rule = s[dir].get(pk);
    if (!rule) s[dir].set(pk, (rule = { peer, ports: new Map() }));
    rule.ports.set(`${port.proto}/${port.port}`, port);
  };
  const mine = (ep: Endpoint | undefined): boolean =>
    Boolean(ep?.pod_name) && ep!.namespace === o.namespace && (o.workload === undefined || workloadName(ep!) === o.workload || ep!.pod_name === o.workload);

  // A connection counts only once answered: a client's egress forwards a SYN that the server's
  // ingress may still drop, and an allow must not be learnt from a denied attempt.
  const answered = new Set<string>();
  for (const f of flows) if (f.verdict === Verdict.FORWARDED && f.is_reply?.value) answered.add(connKey(f, true));

  let used = 0;
  let skipped = 0;
  for (const f of flows) {
    const port = f.verdict === Verdict.FORWARDED && !f.is_reply?.value && answered.has(connKey(f, false)) ? l4Of(f) : undefined;
    if (!port || (!mine(f.source) && !mine(f.destination))) {
      skipped++;
      continue;
    }
    used++;
    if (mine(f.source)) {
      const peer = peerOf(f.destination, f.IP?.destination, f.destination_names ?? []);
      if (peer) record(workloadOf(f.source!)!, 'egress', peer, port);
    }
    if (mine(f.destination)) {
      const peer = peerOf(f.source, f.IP?.source, f.source_names ?? []);
      if (peer) record(workloadOf(f.destination!)!, 'ingress', peer, port);
    }
  }
  const policies = [...seen.values()]
    .sort((a, b) => a.w.name.localeCompare(b.w.name))
    .map((s) => (o.kind === 'k8s' ? k8sPolicy(s, o) : netobsPolicy(s, o)));
  return { policies, used, skipped };
}

const sortedPorts = (ports: Map<string, PortKey>): PortKey[] => [...ports.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port);
const selector = (w: Workload): Record<string, string> => Object.fromEntries([...(w.labels ?? new Map<string, string>())].sort(([a], [b]) => a.localeCompare(b)));

function metadata(s: Seen, o: GenerateOptions): Record<string, unknown> {
  const annotations: Record<string, string> = { 'netobs.io/generated-by': 'kubectl netobs policy generate' };
  if (o.audit) annotations[AUDIT_ANNOTATION] = 'true';
  return { name: `generated-${s.w.name}`, namespace: s.w.namespace, annotations };
}

function netobsRule(rule: { peer: Peer; ports: Map<string, PortKey> }, dir: 'ingress' | 'egress', ns: string): Record<string, unknown> {
  const p = rule.peer;
  const side = dir === 'ingress' ? 'from' : 'to';
  const out: Record<string, unknown> = {};
  if (p.kind === 'workload') {
    const labels = selector(p.w);
    // A namespaced rule's endpoints are in the policy's namespace unless the selector names another.
    if (p.w.namespace !== ns) labels[`k8s:${NS_LABEL}`] = p.w.namespace;
    out[`${side}Endpoints`] = [{ matchLabels: labels }];
  } else if (p.kind === 'entity') out[`${side}Entities`] = [p.entity];
  else out[`${side}CIDR`] = [p.cidr];
  const ports = sortedPorts(rule.ports);
  const icmp = ports.filter((x) => x.proto === 'ICMP' || x.proto === 'ICMPv6');
  const l4 = ports.filter((x) => x.proto !== 'ICMP' && x.proto !== 'ICMPv6');
  if (l4.length > 0) out.toPorts = [{ ports: l4.map((x) => ({ port: String(x.port), protocol: x.proto })) }];
  if (icmp.length > 0) out.icmps = [{ fields: icmp.map((x) => ({ type: x.port, family: x.proto === 'ICMP' ? 'IPv4' : 'IPv6' })) }];
  return out;
}

function netobsPolicy(s: Seen, o: GenerateOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = { endpointSelector: { matchLabels: selector(s.w) } };
  // Each rule keeps one peer: ICMP and ports of one peer cannot share a rule (icmps and toPorts
  // are alternatives in a rule), so a peer seen with both gets two rules.
  const rules = (dir: 'ingress' | 'egress') => [...s[dir].entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, r]) => {
    const rule = netobsRule(r, dir, s.w.namespace);
    if (rule.toPorts && rule.icmps) {
      const { icmps, ...withPorts } = rule;
      const { toPorts: _ports, ...withIcmp } = rule;
      return [withPorts, { ...withIcmp, icmps }];
    }
    return [rule];
  });
  // Nothing seen in a direction: `- {}` turns default-deny on and admits nothing (an empty list
  // would leave the direction unenforced).
  for (const dir of ['ingress', 'egress'] as const) {
    const r = rules(dir);
    spec[dir] = r.length > 0 ? r : [{}];
  }
  return { apiVersion: 'netobs.io/v1alpha1', kind: 'NetworkPolicy', metadata: metadata(s, o), spec };
}

function k8sPeer(p: Peer, ns: string): Record<string, unknown> | undefined {
  if (p.kind === 'workload') {
    return { podSelector: { matchLabels: selector(p.w) }, ...(p.w.namespace !== ns ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.w.namespace } } } : {}) };
  }
  if (p.kind === 'cidr') return { ipBlock: { cidr: p.cidr } };
  return undefined; // entities have no Kubernetes form: see k8sPolicy
}

function k8sPolicy(s: Seen, o: GenerateOptions): Record<string, unknown> {
  const rules = (dir: 'ingress' | 'egress') => [...s[dir].entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([, r]) => {
    const peer = k8sPeer(r.peer, s.w.namespace);
    const ports = sortedPorts(r.ports).filter((x) => x.proto === 'TCP' || x.proto === 'UDP' || x.proto === 'SCTP');
    // Kubernetes policies cannot name host or other entities, nor ICMP: those peers are left
    // out (so denied once applied) and said in the annotation, never widened to "anything".
    if (!peer || ports.length === 0) return [];
    return [{ [dir === 'ingress' ? 'from' : 'to']: [peer], ports: ports.map((x) => ({ port: x.port, protocol: x.proto })) }];
  });
  const left = (['ingress', 'egress'] as const).flatMap((dir) => [...s[dir].values()].filter((r) => !k8sPeer(r.peer, s.w.namespace) || sortedPorts(r.ports).some((x) => x.proto.startsWith('ICMP'))).map((r) => `${dir} ${r.peer.kind === 'entity' ? r.peer.entity : 'ICMP'}`));
  const meta = metadata(s, o) as { annotations: Record<string, string> };
  if (left.length > 0) meta.annotations['netobs.io/not-expressible'] = [...new Set(left)].join(', ');
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta,
    spec: { podSelector: { matchLabels: selector(s.w) }, policyTypes: ['Ingress', 'Egress'], ingress: rules('ingress'), egress: rules('egress') },
  };
}
