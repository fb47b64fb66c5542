// The peer fields of one netobs ingress/egress item: fromX for ingress, toX for egress.
import { selectorProblem } from './dns-match.ts';
import { fail, list, obj, onlyKeys, optStr, show, str, type Obj } from './invalid.ts';
import { parseCidr, parseCidrSet } from './parse-cidr.ts';
import { scopePeer } from './scope.ts';
import { parseSelector, type Selector } from './selector.ts';
import { REFUSED_ENTITIES } from '../../api/policy-entities.ts';
import { ENTITIES, type Direction, type Entity, type Peer } from './types.ts';

const ANY = { defaultSource: 'any' } as const;
const L4_KEYS = ['toPorts', 'icmps'];
const UNSUPPORTED_INGRESS = { fromRequires: 'deprecated upstream', fromGroups: 'cloud groups are not available', authentication: 'mutual authentication is not available' };
const UNSUPPORTED_EGRESS = { toRequires: 'deprecated upstream', toGroups: 'cloud groups are not available', authentication: 'mutual authentication is not available' };

function parseService(raw: unknown, path: string, namespace: string | undefined): Peer {
  const o = obj(raw, path);
  onlyKeys(o, path, ['k8sService', 'k8sServiceSelector']);
  if (o.k8sService !== undefined && o.k8sServiceSelector !== undefined) fail(path, 'needs one of k8sService or k8sServiceSelector, not both');
  if (o.k8sService !== undefined) {
    const at = `${path}.k8sService`;
    const s = obj(o.k8sService, at);
    onlyKeys(s, at, ['serviceName', 'namespace']);
    const ns = s.namespace === undefined ? namespace : str(s.namespace, `${at}.namespace`);
    if (ns === undefined) fail(`${at}.namespace`, 'is required in a clusterwide policy');
    return { kind: 'service', namespace: ns, name: str(s.serviceName, `${at}.serviceName`) };
  }
  if (o.k8sServiceSelector !== undefined) {
    const at = `${path}.k8sServiceSelector`;
    const s = obj(o.k8sServiceSelector, at);
    onlyKeys(s, at, ['selector', 'namespace']);
    const ns = s.namespace === undefined ? namespace : str(s.namespace, `${at}.namespace`);
    return { kind: 'service-selector', namespace: ns, selector: parseSelector(s.selector, `${at}.selector`, { defaultSource: 'k8s' }) };
  }
  fail(path, 'needs k8sService or k8sServiceSelector');
}

function entity(v: unknown, path: string): Entity {
  const s = str(v, path);
  const refused = REFUSED_ENTITIES[s];
  if (refused) fail(path, `${show(s)} is not supported by netobs: ${refused}`);
  if (!(ENTITIES as readonly string[]).includes(s)) fail(path, `${show(s)} is not an entity (${ENTITIES.join(', ')})`);
  return s as Entity;
}

/** toFQDNs: names selected as DNS rules select them; the addresses come from the DNS proxy. */
function parseFqdns(raw: readonly unknown[], path: string): Peer {
  const selectors = raw.map((x, i) => {
    const at = `${path}[${i}]`;
    const o = obj(x, at);
    onlyKeys(o, at, ['matchName', 'matchPattern']);
    const matchName = optStr(o.matchName, `${at}.matchName`);
    const matchPattern = optStr(o.matchPattern, `${at}.matchPattern`);
    if (matchName === undefined && matchPattern === undefined) fail(at, 'needs matchName or matchPattern');
    const bad = selectorProblem({ matchName, matchPattern });
    if (bad) fail(at, bad);
    return { ...(matchName !== undefined && { matchName }), ...(matchPattern !== undefined && { matchPattern }) };
  });
  return { kind: 'fqdn', selectors };
}

/** Undefined when the item names no peer at all (then toPorts alone admits every peer). */
export function parseCrdPeers(o: Obj, path: string, dir: Direction, namespace: string | undefined): Peer[] | undefined {
  const p = dir === 'ingress' ? 'from' : 'to';
  const keys = [`${p}Endpoints`, `${p}CIDR`, `${p}CIDRSet`, `${p}Entities`, `${p}Nodes`, ...(dir === 'egress' ? ['toServices', 'toFQDNs'] : [])];
  onlyKeys(o, path, [...keys, ...L4_KEYS], dir === 'ingress' ? UNSUPPORTED_INGRESS : UNSUPPORTED_EGRESS);
  const field = (k: string) => list(o[k], `${path}.${k}`) ?? [];
  if (keys.every((k) => field(k).length === 0)) return undefined;
  if (field('toFQDNs').length > 0) {
    // As in Cilium: a toFQDNs rule names no other kind of peer.
    const other = keys.find((k) => k !== 'toFQDNs' && field(k).length > 0);
    if (other) fail(`${path}.toFQDNs`, `cannot be combined with ${other} in one rule (write a separate rule)`);
    return [parseFqdns(field('toFQDNs'), `${path}.toFQDNs`)];
  }
  const sel = (k: string, scope: (s: Selector) => Selector) =>
    field(k).map((s, i) => scope(parseSelector(s, `${path}.${k}[${i}]`, ANY)));
  const peers: Peer[] = [
    ...sel(`${p}Endpoints`, (s) => scopePeer(s, namespace)).map((selector): Peer => ({ kind: 'endpoints', selector })),
    ...field(`${p}CIDR`).map((c, i) => parseCidr(c, `${path}.${p}CIDR[${i}]`)),
    ...field(`${p}CIDRSet`).map((c, i) => parseCidrSet(c, `${path}.${p}CIDRSet[${i}]`, true)),
    ...field(`${p}Entities`).map((e, i): Peer => ({ kind: 'entity', entity: entity(e, `${path}.${p}Entities[${i}]`) })),
    ...sel(`${p}Nodes`, (s) => s).map((selector): Peer => ({ kind: 'nodes', selector })),
    ...(dir === 'egress' ? field('toServices').map((s, i) => parseService(s, `${path}.toServices[${i}]`, namespace)) : []),
  ];
  return peers.filter((x) => !(x.kind === 'entity' && x.entity === 'none'));
}
