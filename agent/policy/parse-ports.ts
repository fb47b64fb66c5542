// L4 parts of a policy: Kubernetes `ports`, netobs `toPorts` (with L7 rules) and `icmps`.
import { fullMatchRegex } from '../../lib/linear-regex.ts';
import { selectorProblem } from './dns-match.ts';
import { icmpType } from './icmp.ts';
import { fail, isObj, list, obj, onlyKeys, optStr, show, str, type Obj } from './invalid.ts';
import type { Direction, DnsRule, HttpRule, L4Rule, L7Rules, Protocol } from './types.ts';

/**
 * L7 rule kinds the agent's proxy enforces, per direction; any other kind makes the policy
 * invalid. HTTP is enforced on ingress (the proxy at the destination pod's node, agent/proxy), DNS
 * on egress (the DNS proxy at the client pod's node).
 */
export const ENFORCED_L7: Readonly<Record<Direction, readonly ('http' | 'dns')[]>> = { ingress: ['http'], egress: ['dns'] };

const NOT_ENFORCED = {
  http: 'HTTP rules are enforced on ingress only: on egress they would allow every request on the port; put the rule on the server\'s ingress, or allow the port without rules, or with http: [{}] for visibility',
  dns: 'DNS rules are enforced on egress only (the DNS proxy judges the queries a pod sends); allow the port without rules, or with dns: [{matchPattern: "*"}] for visibility',
} as const;

const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

function portValue(v: unknown, path: string, allowZero: boolean): number | string {
  if (typeof v === 'number' || (typeof v === 'string' && /^[0-9]+$/.test(v))) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) fail(path, `${show(v)} is not a port number (${allowZero ? 0 : 1}-65535)`);
    return n;
  }
  if (typeof v === 'string' && IANA_SVC_NAME.test(v)) return v;
  fail(path, `${show(v)} is not a port number or port name (1-65535, or a name of at most 15 lowercase letters, digits and '-')`);
}

function endPortValue(o: Obj, port: number | string, path: string): number | undefined {
  if (o.endPort === undefined || o.endPort === null) return undefined;
  const at = `${path}.endPort`;
  if (typeof port !== 'number' || port === 0) fail(at, `${show(o.endPort)} needs a numeric port to start the range, not ${show(port)}`);
  const end = o.endPort;
  if (typeof end !== 'number' || !Number.isInteger(end) || end > 65535) fail(at, `${show(end)} is not a port number (1-65535)`);
  if (end < port) fail(at, `${end} is below port ${port}`);
  return end === port ? undefined : end;
}

function protocol(v: unknown, path: string, allowed: readonly Protocol[], dflt: Protocol): Protocol {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as Protocol;
  const hint = v === 'ICMP' || v === 'ICMPv6' || v === 'ICMPV6' ? ' (use icmps for ICMP)' : '';
  fail(path, `${show(v)} is not one of ${allowed.join(', ')}${hint}`);
}

/** NetworkPolicy `ports`: absent or empty = every port of every protocol. */
export function parseK8sPorts(raw: unknown, path: string): L4Rule[] | 'any' {
  const items = list(raw, path);
  if (!items || items.length === 0) return 'any';
  return items.map((item, i): L4Rule => {
    const at = `${path}[${i}]`;
    const o = obj(item, at);
    onlyKeys(o, at, ['protocol', 'port', 'endPort']);
    const proto = protocol(o.protocol, `${at}.protocol`, ['TCP', 'UDP', 'SCTP'], 'TCP');
    const port = o.port === undefined || o.port === null ? 0 : portValue(o.port, `${at}.port`, false);
    const endPort = endPortValue(o, port, at);
    return { kind: 'port', protocol: proto, port, ...(endPort !== undefined && { endPort }) };
  });
}

function regex(v: unknown, path: string): string | undefined {
  const s = optStr(v, path);
  if (s === undefined) return undefined;
  try {
    fullMatchRegex(s);
  } catch (err) {
    fail(path, `${show(s)} ${(err as Error).message}`);
  }
  return s;
}

function parseL7(raw: unknown, path: string, dir: Direction): L7Rules | undefined {
  if (raw === undefined || raw === null) return undefined;
  const o = obj(raw, path);
  const never = 'netobs does not enforce this L7 protocol';
  onlyKeys(o, path, ['http', 'dns'], { kafka: never, l7proto: never, l7: never });
  const http = list(o.http, `${path}.http`)?.map((h, i): HttpRule => {
    const at = `${path}.http[${i}]`;
    const r = obj(h, at);
    onlyKeys(r, at, ['method', 'path', 'host', 'headers']);
    const headers = list(r.headers, `${at}.headers`)?.map((x, j) => str(x, `${at}.headers[${j}]`));
    const out: { -readonly [K in keyof HttpRule]: HttpRule[K] } = {};
    for (const k of ['method', 'path', 'host'] as const) {
      const v = regex(r[k], `${at}.${k}`);
      if (v !== undefined) out[k] = v;
    }
    if (headers) out.headers = headers;
    return out;
  });
  const dns = list(o.dns, `${path}.dns`)?.map((d, i): DnsRule => {
    const at = `${path}.dns[${i}]`;
    const r = obj(d, at);
    onlyKeys(r, at, ['matchName', 'matchPattern']);
    const matchName = optStr(r.matchName, `${at}.matchName`);
    const matchPattern = optStr(r.matchPattern, `${at}.matchPattern`);
    if (matchName === undefined && matchPattern === undefined) fail(at, 'needs matchName or matchPattern');
    const bad = selectorProblem({ matchName, matchPattern });
    if (bad) fail(at, bad);
    return { ...(matchName !== undefined && { matchName }), ...(matchPattern !== undefined && { matchPattern }) };
  });
  // A rule kind is accepted only once the proxy enforces it: accepting it earlier would compile
  // to a plain L4 allow of the port, a wider policy than the one written.
  // A list holding a rule that matches everything (`http: [{}]`, `dns: [{matchPattern: "*"}]`, used
  // for visibility) allows what a port allow allows, so it is exact without a proxy.
  const allHttp = http?.some((h) => Object.keys(h).length === 0) ?? false;
  const allDns = dns?.some((d) => d.matchPattern === '*') ?? false;
  if (http && !allHttp && !ENFORCED_L7[dir].includes('http')) fail(`${path}.http`, `not supported by netobs (${NOT_ENFORCED.http})`);
  if (dns && !allDns && !ENFORCED_L7[dir].includes('dns')) fail(`${path}.dns`, `not supported by netobs (${NOT_ENFORCED.dns})`);
  return { ...(http && { http }), ...(dns && { dns }) };
}

/** netobs `toPorts`; L7 rules are refused in deny rules (as Cilium does). */
export function parseToPorts(raw: readonly unknown[], path: string, deny: boolean, dir: Direction): L4Rule[] {
  const out: L4Rule[] = [];
  for (const [i, item] of raw.entries()) {
    const at = `${path}[${i}]`;
    const o = obj(item, at);
    const tls = 'TLS interception needs a proxy';
    onlyKeys(o, at, ['ports', 'rules'], { terminatingTLS: tls, originatingTLS: tls, serverNames: tls, listener: 'Envoy listeners are not available' });
    if (deny && o.rules !== undefined && o.rules !== null) fail(`${at}.rules`, 'L7 rules are not allowed in deny rules');
    const l7 = parseL7(o.rules, `${at}.rules`, dir);
    const ports = list(o.ports, `${at}.ports`) ?? [];
    if (ports.length === 0) fail(`${at}.ports`, 'must list at least one port');
    // The DNS proxy takes the queries of the ports named: each must be a number, on UDP or TCP.
    const dnsProxied = dir === 'egress' && l7?.dns !== undefined;
    for (const [j, p] of ports.entries()) {
      const pat = `${at}.ports[${j}]`;
      const po = obj(p, pat);
      onlyKeys(po, pat, ['port', 'endPort', 'protocol']);
      const proto = protocol(po.protocol, `${pat}.protocol`, ['TCP', 'UDP', 'SCTP', 'ANY'], 'ANY');
      const port = po.port === undefined || po.port === null || po.port === '' ? 0 : portValue(po.port, `${pat}.port`, true);
      const endPort = endPortValue(po, port, pat);
      if (dnsProxied && (typeof port !== 'number' || port === 0)) fail(`${pat}.port`, 'a port with dns rules needs its number (e.g. "53"): the DNS proxy takes only the ports named');
      if (dnsProxied && proto === 'SCTP') fail(`${pat}.protocol`, 'dns rules apply to UDP and TCP (or ANY)');
      // The proxy redirects and judges exact ports (as Cilium, which refuses L7 rules on ranges).
      if (endPort !== undefined && l7) fail(`${pat}.endPort`, 'L7 rules apply to single ports, not to a port range (list the ports, or drop the rules)');
      out.push({ kind: 'port', protocol: proto, port, ...(endPort !== undefined && { endPort }), ...(l7 && { l7 }) });
    }
  }
  return out;
}

/** netobs `icmps`: [{fields: [{family, type}]}]. */
export function parseIcmps(raw: readonly unknown[], path: string): L4Rule[] {
  const out: L4Rule[] = [];
  for (const [i, item] of raw.entries()) {
    const at = `${path}[${i}]`;
    const o = obj(item, at);
    onlyKeys(o, at, ['fields']);
    const fields = list(o.fields, `${at}.fields`) ?? [];
    if (fields.length === 0) fail(`${at}.fields`, 'must list at least one ICMP type');
    for (const [j, f] of fields.entries()) {
      const fat = `${at}.fields[${j}]`;
      if (!isObj(f)) fail(fat, `${show(f)} is not an object`);
      onlyKeys(f, fat, ['family', 'type']);
      const fam = f.family ?? 'IPv4';
      if (fam !== 'IPv4' && fam !== 'IPv6') fail(`${fat}.family`, `${show(fam)} is not IPv4 or IPv6`);
      const family = fam === 'IPv4' ? 4 : 6;
      const t = typeof f.type === 'number' || typeof f.type === 'string' ? icmpType(family, f.type) : undefined;
      if (t === undefined) fail(`${fat}.type`, `${show(f.type)} is not an ${fam} ICMP type (0-255 or a name such as EchoRequest)`);
      out.push({ kind: 'icmp', family, type: t });
    }
  }
  return out;
}
