// Value matchers behind the flow filters: namespaced names, IPs and CIDRs, ports, FQDN and node
// name wildcards, HTTP status codes, regular expressions. Each compiles its filter values once
// and throws FilterError naming the bad value.
import { BlockList, isIP } from 'node:net';

export class FilterError extends Error {
  override name = 'FilterError';
}

export type Match<T> = (value: T) => boolean;

export function bad(field: string, value: unknown, why: string): FilterError {
  return new FilterError(`invalid filter ${field} ${JSON.stringify(value)}: ${why}`);
}

/** `ns/prefix`, `ns/` (whole namespace), `/prefix` (any namespace); a bare prefix means `default/prefix`. */
export function namespacedName(field: string, values: readonly string[]): Match<{ namespace?: string; name?: string }> {
  const parsed = values.map((v) => {
    if (v === '' || v === '/') throw bad(field, v, 'must be [namespace/][name-prefix]');
    const i = v.indexOf('/');
    return i < 0 ? { ns: 'default', prefix: v } : { ns: v.slice(0, i), prefix: v.slice(i + 1) };
  });
  return ({ namespace = '', name = '' }) =>
    parsed.some((p) => (p.ns === '' || p.ns === namespace) && name.startsWith(p.prefix));
}

/** Exact IPs or CIDR prefixes, v4 and v6. */
export function ipMatcher(field: string, values: readonly string[]): Match<string | undefined> {
  const list = new BlockList();
  for (const v of values) {
    const slash = v.indexOf('/');
    const addr = slash < 0 ? v : v.slice(0, slash);
    const family = isIP(addr);
    if (family === 0) throw bad(field, v, 'not an IP address or CIDR');
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) list.addAddress(addr, type);
    else {
      const bits = Number(v.slice(slash + 1));
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw bad(field, v, 'bad prefix length');
      list.addSubnet(addr, bits, type);
    }
  }
  return (ip) => {
    if (!ip) return false;
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}

export function portMatcher(field: string, values: readonly string[]): Match<number | undefined> {
  const ports = new Set(values.map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 65535) throw bad(field, v, 'not a port number');
    return n;
  }));
  return (p) => p !== undefined && ports.has(p);
}

function globToRegExp(glob: string, star: string): string {
  return glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', star);
}

/** DNS names with `*` wildcards; case and a trailing dot do not matter. */
export function fqdnMatcher(field: string, values: readonly string[]): Match<readonly string[] | undefined> {
  const alts = values.map((v) => {
    const p = v.trim().toLowerCase().replace(/\.$/, '');
    if (p === '' || !/^[-a-z0-9_.*]+$/.test(p)) throw bad(field, v, 'not a DNS name pattern');
    return globToRegExp(p, '[-a-z0-9_.]*');
  });
  const re = new RegExp(`^(?:${alts.join('|')})$`);
  return (names) => !!names && names.some((n) => re.test(n.toLowerCase().replace(/\.$/, '')));
}

/** `node`, `node-*`, `cluster/node-*`; a pattern without a cluster matches any cluster. */
export function nodeNameMatcher(field: string, values: readonly string[]): Match<string | undefined> {
  const alts = values.map((v) => {
    if (v === '' || v.split('/').length > 2 || !/^[-a-zA-Z0-9_.*/]+$/.test(v)) throw bad(field, v, 'must be [cluster/]node with * wildcards');
    const [cluster, node] = v.includes('/') ? v.split('/') : ['*', v];
    const c = globToRegExp(cluster ?? '*', '[^/]*');
    return `(?:${c}/)${v.includes('/') ? '' : '?'}${globToRegExp(node ?? '', '[^/]*')}`;
  });
  const re = new RegExp(`^(?:${alts.join('|')})$`);
  return (name) => !!name && re.test(name);
}

/** `404` or a prefix like `2+`, `40+`. Only responses (code > 0) match. */
export function httpStatusMatcher(field: string, values: readonly string[]): Match<number | undefined> {
  const full: string[] = [];
  const prefix: string[] = [];
  for (const v of values) {
    if (/^[1-5][0-9]{2}$/.test(v)) full.push(v);
    else if (/^[1-5][0-9]?\+$/.test(v)) prefix.push(v.slice(0, -1));
    else throw bad(field, v, 'must be a status code (404) or a prefix (2+, 40+)');
  }
  return (code) => {
    if (!code) return false;
    const s = String(code);
    return full.includes(s) || prefix.some((p) => s.startsWith(p));
  };
}

export function regexMatcher(field: string, values: readonly string[]): Match<string | undefined> {
  const res = values.map((v) => {
    try {
      return new RegExp(v);
    } catch (e) {
      throw bad(field, v, (e as Error).message);
    }
  });
  return (s) => s !== undefined && res.some((r) => r.test(s));
}
