// netobs NetworkPolicy / ClusterwideNetworkPolicy (netobs.io/v1alpha1), whose spec has the
// CiliumNetworkPolicy shape, into the policy model. Semantics kept from Cilium:
// - a rule enforces default-deny in a direction when it has a non-empty ingress/ingressDeny
//   (egress/egressDeny) section, unless enableDefaultDeny says false for that direction;
// - within one ingress/egress item, peers (fromEndpoints, fromCIDR, fromEntities...) are OR-ed
//   and AND-ed with toPorts/icmps; an item with ports but no peer admits every peer; an item with
//   neither (`- {}`) admits nothing (it only turns default-deny on).
import { fail, list, obj, onlyKeys, show, str, type Obj } from './invalid.ts';
import { parseCrdPeers } from './parse-crd-peers.ts';
import { parseIcmps, parseToPorts } from './parse-ports.ts';
import { scopeSubject } from './scope.ts';
import { parseSelector } from './selector.ts';
import type { Direction, ParsedPolicy, PeerRule, PolicyKind, PolicyRule } from './types.ts';

const SECTIONS = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
type Section = (typeof SECTIONS)[number];

function parseItems(rule: Obj, section: Section, path: string, namespace: string | undefined): PeerRule[] {
  const dir: Direction = section.startsWith('ingress') ? 'ingress' : 'egress';
  const deny = section.endsWith('Deny');
  const out: PeerRule[] = [];
  for (const [i, raw] of (list(rule[section], `${path}.${section}`) ?? []).entries()) {
    const at = `${path}.${section}[${i}]`;
    const o = obj(raw, at);
    const peers = parseCrdPeers(o, at, dir, namespace);
    const toPorts = list(o.toPorts, `${at}.toPorts`) ?? [];
    const icmps = list(o.icmps, `${at}.icmps`) ?? [];
    if (toPorts.length > 0 && icmps.length > 0) fail(`${at}.icmps`, 'cannot be combined with toPorts in one rule (write a separate rule)');
    const l4 = [...parseToPorts(toPorts, `${at}.toPorts`, deny, dir), ...parseIcmps(icmps, `${at}.icmps`)];
    if (peers === undefined && l4.length === 0) continue;
    out.push({ peers: peers ?? 'any', l4: l4.length === 0 ? 'any' : l4 });
  }
  return out;
}

function parseEnableDefaultDeny(v: unknown, path: string): Record<Direction, boolean> {
  if (v === undefined || v === null) return { ingress: true, egress: true };
  const o = obj(v, path);
  onlyKeys(o, path, ['ingress', 'egress']);
  const dir = (d: Direction) => {
    const x = o[d];
    if (x === undefined || x === null) return true;
    if (typeof x !== 'boolean') fail(`${path}.${d}`, `${show(x)} is not true or false`);
    return x;
  };
  return { ingress: dir('ingress'), egress: dir('egress') };
}

function parseRule(raw: unknown, path: string, namespace: string | undefined): PolicyRule {
  const o = obj(raw, path);
  onlyKeys(o, path, ['endpointSelector', ...SECTIONS, 'enableDefaultDeny', 'description', 'labels', 'log'], {
    nodeSelector: 'host firewall policies are not available',
  });
  if (o.endpointSelector === undefined || o.endpointSelector === null) {
    fail(`${path}.endpointSelector`, 'is required (use {} to select every endpoint)');
  }
  if (o.description !== undefined) str(o.description, `${path}.description`);
  const subject = scopeSubject(parseSelector(o.endpointSelector, `${path}.endpointSelector`, { defaultSource: 'any' }), namespace);
  const items = Object.fromEntries(SECTIONS.map((s) => [s, parseItems(o, s, path, namespace)])) as Record<Section, PeerRule[]>;
  const present = (s: Section) => (list(o[s], `${path}.${s}`) ?? []).length > 0;
  const dd = parseEnableDefaultDeny(o.enableDefaultDeny, `${path}.enableDefaultDeny`);
  // toFQDNs peers get their addresses from the DNS proxy, which sees only the queries of ports
  // with dns rules: without one for these endpoints, the peers would never resolve.
  const fqdn = items.egress.findIndex((r) => r.peers !== 'any' && r.peers.some((p) => p.kind === 'fqdn'));
  if (fqdn >= 0 && !items.egress.some((r) => r.l4 !== 'any' && r.l4.some((k) => k.kind === 'port' && k.l7?.dns))) {
    fail(`${path}.egress`, 'toFQDNs needs DNS lookups through the DNS proxy: add an egress rule toward the DNS server with toPorts [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}] (the names it allows are the ones that can be learnt)');
  }
  return {
    subject,
    enforce: {
      ingress: dd.ingress && (present('ingress') || present('ingressDeny')),
      egress: dd.egress && (present('egress') || present('egressDeny')),
    },
    allow: { ingress: items.ingress, egress: items.egress },
    deny: { ingress: items.ingressDeny, egress: items.egressDeny },
  };
}

export function parseNetobsPolicy(o: Obj, kind: PolicyKind, name: string, namespace: string | undefined): ParsedPolicy {
  const has = (k: string) => o[k] !== undefined && o[k] !== null;
  if (!has('spec') && !has('specs')) fail('spec', 'is required (or specs, a list of rules)');
  const rules: PolicyRule[] = [];
  if (has('spec')) rules.push(parseRule(o.spec, 'spec', namespace));
  for (const [i, r] of (list(o.specs, 'specs') ?? []).entries()) rules.push(parseRule(r, `specs[${i}]`, namespace));
  return { ref: { kind, namespace: namespace ?? '', name }, rules };
}
