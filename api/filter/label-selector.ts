// Kubernetes label selector syntax (`k=v,k2 in (a,b),!k3`) matched against cilium-style labels
// (`source:key=value`, e.g. `k8s:app=frontend`, `reserved:world`). A selector key may name the
// source (`k8s:app`); without one (or with `any:`) it matches labels of every source.

export type Operator = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin';
export interface Requirement { source: string; key: string; op: Operator; values: string[] }
export type Selector = Requirement[];

export class SelectorError extends Error {
  override name = 'SelectorError';
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

function splitSource(key: string): { source: string; key: string } {
  const i = key.indexOf(':');
  if (i < 0) return { source: 'any', key };
  return { source: key.slice(0, i), key: key.slice(i + 1) };
}

const KEY = /^[A-Za-z0-9][-A-Za-z0-9_./:]*$/;
const SET = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/;
const CMP = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/;

function requirement(text: string): Requirement {
  let m: RegExpExecArray | null;
  let key: string;
  let op: Operator;
  let values: string[] = [];
  if ((m = SET.exec(text))) {
    key = m[1] ?? '';
    op = m[2] === 'in' ? 'in' : 'notin';
    values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) throw new SelectorError(`label selector ${JSON.stringify(text)}: empty value set`);
  } else if ((m = CMP.exec(text))) {
    key = m[1] ?? '';
    op = m[2] === '!=' ? '!=' : '=';
    values = [(m[3] ?? '').trim()];
  } else if (text.startsWith('!')) {
    key = text.slice(1).trim();
    op = '!exists';
  } else {
    key = text;
    op = 'exists';
  }
  if (!KEY.test(key)) throw new SelectorError(`label selector ${JSON.stringify(text)}: invalid key ${JSON.stringify(key)}`);
  return { ...splitSource(key), op, values };
}

/** Parses a selector; an empty string selects everything. Throws SelectorError. */
export function parseSelector(text: string): Selector {
  if (text.trim() === '') return [];
  return splitTopLevel(text).map((part) => {
    if (part === '') throw new SelectorError(`label selector ${JSON.stringify(text)}: empty requirement`);
    return requirement(part);
  });
}

interface ParsedLabel { source: string; key: string; value: string }

/** `k8s:app=x` → {k8s, app, x}; labels without a source (node labels) have source ''. */
export function parseLabel(label: string): ParsedLabel {
  const eq = label.indexOf('=');
  const kv = eq < 0 ? label : label.slice(0, eq);
  const value = eq < 0 ? '' : label.slice(eq + 1);
  const colon = kv.indexOf(':');
  if (colon < 0) return { source: '', key: kv, value };
  return { source: kv.slice(0, colon), key: kv.slice(colon + 1), value };
}

function valuesOf(labels: readonly ParsedLabel[], r: Requirement): string[] {
  const out: string[] = [];
  for (const l of labels) if (l.key === r.key && (r.source === 'any' || l.source === r.source)) out.push(l.value);
  return out;
}

function matches(r: Requirement, labels: readonly ParsedLabel[]): boolean {
  const vals = valuesOf(labels, r);
  switch (r.op) {
    case 'exists': return vals.length > 0;
    case '!exists': return vals.length === 0;
    case '=': case 'in': return vals.some((v) => r.values.includes(v));
    case '!=': case 'notin': return !vals.some((v) => r.values.includes(v));
  }
}

/** Whether every requirement of the selector holds for the labels. */
export function selectorMatches(selector: Selector, labels: readonly string[]): boolean {
  const parsed = labels.map(parseLabel);
  return selector.every((r) => matches(r, parsed));
}
