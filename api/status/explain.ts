// `policy explain`'s document: why the datapath allows or drops a connection from a source to a
// destination port. Each agent answers GET /v1/explain for the endpoints it holds (the egress side
// where the source runs, the ingress side where the destination runs); mergeExplanations folds the
// nodes' answers into one, and formatExplanation prints it (the CLI and the TUI's flow detail).

/** A source or destination as the agent resolved it. */
export interface ExplainPeer {
  /** What the user typed: ns/pod, an IP or an identity number. */
  readonly input: string;
  readonly identity: number;
  readonly labels: readonly string[];
  /** ns/name when it is a pod. */
  readonly pod?: string;
  readonly ip?: string;
  /** The node running the pod. */
  readonly node?: string;
}

/** One key the datapath tries, and what the policy map held for it. */
export interface ExplainProbe {
  /** Hubble's match type name (L3-L4, L3-Proto, L4-Only, Proto-Only, L3-Only, all). */
  readonly match: string;
  /**
   * The lookup (endpoint, direction, remote identity, protocol, port; an ICMP type for ICMP) and,
   * when found, the longest key that holds it: its protocol (0 = any), first port and port prefix
   * bits (16 = one port, 0 = every port).
   */
  readonly key: { readonly endpointId: number; readonly direction: 'ingress' | 'egress'; readonly remoteIdentity: number; readonly protocol: number; readonly port: number; readonly portBits?: number };
  /** Absent: no key holds it in the map. */
  readonly value?: { readonly action: 'allow' | 'deny' | 'proxy'; readonly ruleId: number; readonly policies: readonly string[] };
}

/** A rule of a policy whose cell the deciding entry holds. */
export interface ExplainRule {
  readonly policy: string;
  readonly action: 'allow' | 'deny';
  /** e.g. `ingress from [k8s:org=empire] to [80/TCP]` */
  readonly rule: string;
}

export interface ExplainDirection {
  readonly direction: 'ingress' | 'egress';
  readonly node: string;
  /** The endpoint whose policy map is looked up. */
  readonly endpointId: number;
  readonly endpoint: string;
  readonly remoteIdentity: number;
  /** Some policy selects the endpoint in this direction: a miss is a drop. */
  readonly enforced: boolean;
  /** The policies that select it in this direction (and so made it default-deny). */
  readonly selectedBy: readonly string[];
  readonly verdict: 'ALLOWED' | 'DENIED';
  /** not-enforced, allow, proxy, deny-entry or no-allow (agent/policy/lookup.ts). */
  readonly reason: string;
  /** The keys in the datapath's lookup order; stops at a deny as the datapath does. */
  readonly probes: readonly ExplainProbe[];
  /** The deciding probe (the deny, or the most specific allow). */
  readonly decidedBy?: ExplainProbe;
  readonly rules: readonly ExplainRule[];
  /** For no-allow: the allow that would be needed. */
  readonly missing?: string;
}

/** What netobs knows it does not enforce, near this connection. */
export interface NotEnforced {
  readonly policy: string;
  readonly reason: string;
}

/** One agent's answer (GET /v1/explain), or the merge of all of them. */
export interface PolicyExplanation {
  readonly source: ExplainPeer;
  readonly destination: ExplainPeer;
  readonly protocol: string;
  readonly port: number;
  readonly verdict: 'ALLOWED' | 'DENIED';
  readonly directions: readonly ExplainDirection[];
  /** Sides no agent judged, and why. */
  readonly unjudged: readonly string[];
  readonly notEnforced: readonly NotEnforced[];
}

const SIDES = [['egress', 'source'], ['ingress', 'destination']] as const;

/** Folds the nodes' answers: each side from the node that holds its endpoint. */
export function mergeExplanations(parts: readonly PolicyExplanation[]): PolicyExplanation {
  if (parts.length === 0) throw new Error('merge explanations: no answers');
  const pick = (side: 'source' | 'destination') => parts.find((p) => p[side].pod !== undefined && p[side].node !== undefined)?.[side] ?? parts.find((p) => p[side].pod !== undefined)?.[side] ?? parts[0]![side];
  const source = pick('source');
  const destination = pick('destination');
  const directions = SIDES.flatMap(([d]) => parts.flatMap((p) => p.directions.filter((x) => x.direction === d)).slice(0, 1));
  const notEnforced = new Map<string, NotEnforced>();
  for (const p of parts) for (const n of p.notEnforced) notEnforced.set(`${n.policy}|${n.reason}`, n);
  return {
    source, destination, protocol: parts[0]!.protocol, port: parts[0]!.port,
    verdict: directions.every((d) => d.verdict === 'ALLOWED') ? 'ALLOWED' : 'DENIED',
    directions,
    unjudged: unjudged(source, destination, directions),
    notEnforced: [...notEnforced.values()],
  };
}

/** Why a side has no lookup: the peer is not a pod netobs manages, or its node did not answer. */
export function unjudged(source: ExplainPeer, destination: ExplainPeer, directions: readonly ExplainDirection[]): string[] {
  const out: string[] = [];
  for (const [dir, side] of SIDES) {
    if (directions.some((d) => d.direction === dir)) continue;
    const peer = side === 'source' ? source : destination;
    out.push(peer.pod
      ? `${dir} of ${peer.pod}: no agent answered for it${peer.node ? ` (node ${peer.node})` : ''}`
      : `${dir} of ${peer.input}: not a pod netobs manages, so netobs does not judge that side`);
  }
  return out;
}

const peerText = (p: ExplainPeer) => `${p.pod ?? p.ip ?? p.input} (identity ${p.identity}${p.labels.length ? `: ${p.labels.slice(0, 4).join(', ')}${p.labels.length > 4 ? ', …' : ''}` : ''})`;
const keyText = (k: ExplainProbe['key']) => `{endpoint ${k.endpointId}, ${k.direction}, identity ${k.remoteIdentity}, proto ${k.protocol}, port ${k.port}}`;
const valueText = (v: ExplainProbe['value']) => (v ? `${v.action} rule_id=${v.ruleId}${v.policies.length ? ` [${v.policies.join(', ')}]` : ' [implicit]'}` : 'no entry');

/** The human form, one fact a line. */
export function formatExplanation(e: PolicyExplanation): string {
  const lines = [
    `${e.verdict}: ${peerText(e.source)} -> ${peerText(e.destination)} ${e.port}/${e.protocol}`,
  ];
  for (const d of e.directions) {
    lines.push('', `${d.direction} at ${d.endpoint} (endpoint ${d.endpointId}, node ${d.node}): ${d.verdict} (${d.reason})`);
    lines.push(d.enforced ? `  default-deny: selected by ${d.selectedBy.join(', ')}` : `  not enforced: no policy selects it for ${d.direction}, so the datapath allows without a lookup`);
    if (d.decidedBy) lines.push(`  deciding entry: ${d.decidedBy.match} ${keyText(d.decidedBy.key)} -> ${valueText(d.decidedBy.value)}`);
    for (const r of d.rules) lines.push(`  rule: ${r.policy}: ${r.action} ${r.rule}`);
    if (d.missing) lines.push(`  missing: ${d.missing}`);
    if (d.probes.length) {
      lines.push('  lookup order:');
      for (const p of d.probes) lines.push(`    ${p.match.padEnd(10)} ${keyText(p.key)} -> ${valueText(p.value)}`);
    }
  }
  for (const u of e.unjudged) lines.push('', `not judged: ${u}`);
  for (const n of e.notEnforced) lines.push('', `not enforced: ${n.policy}: ${n.reason}`);
  return lines.join('\n') + '\n';
}
