// CIDR fields shared by NetworkPolicy ipBlock and netobs fromCIDR/fromCIDRSet/toCIDR/toCIDRSet.
import { containsPrefix, formatPrefix, parsePrefix } from '../identity/cidr.ts';
import { fail, list, obj, onlyKeys, show, str } from './invalid.ts';
import type { Peer } from './types.ts';

function prefix(v: unknown, path: string, allowBareIp: boolean) {
  const s = str(v, path);
  const p = (allowBareIp || s.includes('/')) ? parsePrefix(s) : undefined;
  if (!p) fail(path, `${show(s)} is not a CIDR (use a.b.c.d/n or x:y::/n)`);
  return p;
}

/** {cidr, except}; every except must lie strictly inside cidr. */
export function parseCidrSet(raw: unknown, path: string, allowBareIp: boolean): Extract<Peer, { kind: 'cidr' }> {
  const o = obj(raw, path);
  onlyKeys(o, path, ['cidr', 'except'], { cidrGroupRef: 'CiliumCIDRGroup is not available', cidrGroupSelector: 'CiliumCIDRGroup is not available' });
  const outer = prefix(o.cidr, `${path}.cidr`, allowBareIp);
  const except = (list(o.except, `${path}.except`) ?? []).map((e, i) => {
    const at = `${path}.except[${i}]`;
    const p = prefix(e, at, allowBareIp);
    if (!containsPrefix(outer, p) || p.bits === outer.bits) fail(at, `${show(e)} is not inside ${show(formatPrefix(outer))}`);
    return formatPrefix(p);
  });
  return { kind: 'cidr', cidr: formatPrefix(outer), except: [...new Set(except)] };
}

export function parseCidr(raw: unknown, path: string): Peer {
  return { kind: 'cidr', cidr: formatPrefix(prefix(raw, path, true)), except: [] };
}
