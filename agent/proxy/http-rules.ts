// Cilium's HTTP rule semantics, judged on one request head: `method`, `path` and `host` are
// regexes matched in full (path against the request target as sent, query included, as Envoy's
// `:path`), `headers` entries are "Name" (present) or "Name: value" (a value equal to it); fields
// of one rule are AND-ed, the rules of a port and peer OR-ed. An empty rule matches every request.
import { fullMatchRegex } from '../../lib/linear-regex.ts';
import type { HttpRule } from '../policy/types.ts';

/** What a judge looks at: the request head, header names lowercased (as node:http gives them). */
export interface RequestHead {
  readonly method: string;
  readonly target: string;
  readonly host: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

interface HeaderNeed { readonly name: string; readonly value: string | undefined }

export interface CompiledHttpRule {
  readonly method?: RegExp;
  readonly path?: RegExp;
  readonly host?: RegExp;
  readonly headers: readonly HeaderNeed[];
}

function headerNeed(spec: string): HeaderNeed {
  const colon = spec.indexOf(':');
  if (colon < 0) return { name: spec.trim().toLowerCase(), value: undefined };
  return { name: spec.slice(0, colon).trim().toLowerCase(), value: spec.slice(colon + 1).trim() };
}

export function compileHttpRule(r: HttpRule): CompiledHttpRule {
  return {
    ...(r.method !== undefined && { method: fullMatchRegex(r.method) }),
    ...(r.path !== undefined && { path: fullMatchRegex(r.path) }),
    ...(r.host !== undefined && { host: fullMatchRegex(r.host) }),
    headers: (r.headers ?? []).map(headerNeed),
  };
}

function headerHolds(need: HeaderNeed, headers: RequestHead['headers']): boolean {
  const v = headers[need.name];
  if (v === undefined) return false;
  if (need.value === undefined) return true;
  return Array.isArray(v) ? v.some((x) => x === need.value) : v === need.value;
}

export function ruleMatches(r: CompiledHttpRule, req: RequestHead): boolean {
  if (r.method && !r.method.test(req.method)) return false;
  if (r.path && !r.path.test(req.target)) return false;
  if (r.host && !r.host.test(req.host ?? '')) return false;
  return r.headers.every((h) => headerHolds(h, req.headers));
}
