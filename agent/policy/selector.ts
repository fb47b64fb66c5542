// Label selectors: Kubernetes LabelSelector semantics (requirements AND-ed; an empty selector
// matches everything) over netobs label sets, with Cilium's label sources in the keys:
// `k8s:app` matches only Kubernetes labels, `any:app` or plain `app` in a netobs CRD matches any
// source, `reserved:host` matches the host identity. Kubernetes NetworkPolicy selectors are read
// with source k8s. Scoping an empty selector to a namespace or to pods is the caller's business
// (see scope.ts), because it depends on the kind of policy.
import { LABEL_SOURCES, canonicalKey, labelsByKey, type LabelSet } from '../identity/labels.ts';
import { fail, isObj, list, obj, onlyKeys, show, str } from './invalid.ts';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
const OPERATORS: readonly Operator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface Requirement {
  readonly source: string; // 'any' matches every source
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  readonly requirements: readonly Requirement[];
}

export const MATCH_ALL: Selector = { requirements: [] };

export interface SelectorOptions {
  /** Source for keys written without one: 'any' in netobs CRDs, 'k8s' in NetworkPolicy. */
  readonly defaultSource: 'any' | 'k8s';
  /** Prepended to every key (namespaceSelector keys become namespace-label keys). */
  readonly keyPrefix?: string;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Splits `source:key`, checks the key is a Kubernetes label key, applies the options. */
export function parseSelectorKey(raw: string, path: string, opts: SelectorOptions): { source: string; key: string } {
  const colon = raw.indexOf(':');
  let source: string = opts.defaultSource;
  let key = raw;
  if (colon >= 0) {
    source = raw.slice(0, colon);
    key = raw.slice(colon + 1);
    if (!(LABEL_SOURCES as readonly string[]).includes(source)) {
      fail(path, `${show(raw)} has unknown label source ${show(source)} (use ${LABEL_SOURCES.join(', ')})`);
    }
  }
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = key.slice(slash + 1);
  if (source !== 'cidr' && (!NAME.test(name) || (slash >= 0 && !DNS_SUBDOMAIN.test(prefix)))) {
    fail(path, `${show(raw)} is not a valid label key`);
  }
  return { source, key: canonicalKey((opts.keyPrefix ?? '') + key) };
}

function labelValue(v: unknown, path: string): string {
  const s = str(v, path);
  if (s !== '' && !NAME.test(s)) fail(path, `${show(s)} is not a valid label value`);
  return s;
}

/** Reads a LabelSelector ({matchLabels, matchExpressions}); null or absent is MATCH_ALL. */
export function parseSelector(raw: unknown, path: string, opts: SelectorOptions): Selector {
  if (raw === undefined || raw === null) return MATCH_ALL;
  const o = obj(raw, path);
  onlyKeys(o, path, ['matchLabels', 'matchExpressions']);
  const reqs: Requirement[] = [];
  if (o.matchLabels !== undefined && o.matchLabels !== null) {
    const ml = obj(o.matchLabels, `${path}.matchLabels`);
    for (const [k, v] of Object.entries(ml)) {
      const at = `${path}.matchLabels`;
      const { source, key } = parseSelectorKey(k, at, opts);
      reqs.push({ source, key, operator: 'In', values: [labelValue(v, `${at}.${k}`)] });
    }
  }
  for (const [i, e] of (list(o.matchExpressions, `${path}.matchExpressions`) ?? []).entries()) {
    const at = `${path}.matchExpressions[${i}]`;
    if (!isObj(e)) fail(at, `${show(e)} is not an object`);
    onlyKeys(e, at, ['key', 'operator', 'values']);
    const { source, key } = parseSelectorKey(str(e.key, `${at}.key`), `${at}.key`, opts);
    const op = str(e.operator, `${at}.operator`);
    if (!(OPERATORS as readonly string[]).includes(op)) fail(`${at}.operator`, `${show(op)} is not one of ${OPERATORS.join(', ')}`);
    const values = (list(e.values, `${at}.values`) ?? []).map((v, j) => labelValue(v, `${at}.values[${j}]`));
    const setOp = op === 'In' || op === 'NotIn';
    if (setOp && values.length === 0) fail(`${at}.values`, `must not be empty for operator ${op}`);
    if (!setOp && values.length > 0) fail(`${at}.values`, `must be empty for operator ${op}`);
    reqs.push({ source, key, operator: op as Operator, values: [...new Set(values)].sort() });
  }
  return { requirements: reqs };
}

function requirementMatches(r: Requirement, labels: LabelSet): boolean {
  const found = (labelsByKey(labels).get(r.key) ?? []).filter((l) => r.source === 'any' || l.source === r.source);
  switch (r.operator) {
    case 'Exists':
      return found.length > 0;
    case 'DoesNotExist':
      return found.length === 0;
    case 'In':
      return found.some((l) => r.values.includes(l.value));
    case 'NotIn':
      return !found.some((l) => r.values.includes(l.value));
  }
}

export function selectorMatches(sel: Selector, labels: LabelSet): boolean {
  return sel.requirements.every((r) => requirementMatches(r, labels));
}

export function withRequirements(sel: Selector, ...reqs: Requirement[]): Selector {
  return { requirements: [...sel.requirements, ...reqs] };
}

/** Does the selector constrain this key (any source)? */
export function mentionsKey(sel: Selector, key: string): boolean {
  return sel.requirements.some((r) => r.key === key);
}

/** Canonical text: equal selectors print equal, so compiled selectors can be cached by it. */
export function formatSelector(sel: Selector): string {
  if (sel.requirements.length === 0) return '{}';
  const parts = sel.requirements.map((r) => {
    const k = `${r.source}:${r.key}`;
    if (r.operator === 'Exists') return k;
    if (r.operator === 'DoesNotExist') return `!${k}`;
    if (r.operator === 'In' && r.values.length === 1) return `${k}=${r.values[0]}`;
    return `${k} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`;
  });
  return [...new Set(parts)].sort().join(', ');
}
