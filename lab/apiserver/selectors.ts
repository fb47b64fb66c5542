// Label and field selectors as the API server parses them from ?labelSelector= and ?fieldSelector=.
import { badRequest } from './errors.ts';
import type { KObject } from './types.ts';

type Req =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!='; values: [string] };

export type LabelSelector = Req[];

/** Parses `app=web,tier!=db,env in (a,b),!legacy,gpu`. */
export function parseLabelSelector(s: string | undefined): LabelSelector {
  const out: Req[] = [];
  if (!s) return out;
  for (const part of splitTop(s)) {
    const p = part.trim();
    if (!p) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '' || m![3]!.trim() === '');
      out.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values });
    } else if ((m = /^!\s*([^\s!=()]+)$/.exec(p))) out.push({ key: m[1]!, op: '!' });
    else if ((m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(p))) {
      out.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    } else if ((m = /^([^\s!=()]+)$/.exec(p))) out.push({ key: m[1]!, op: 'exists' });
    else throw badRequest(`unable to parse requirement: ${JSON.stringify(p)}`);
  }
  return out;
}

/** Splits on commas outside parentheses. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
    }
  });
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as used in specs. */
export interface SpecSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function matchSpecSelector(sel: SpecSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const reqs: Req[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: '=', values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: '!' });
  }
  return matchLabels(reqs, labels);
}

export type FieldSelector = { path: string; neg: boolean; value: string }[];

export function parseFieldSelector(s: string | undefined): FieldSelector {
  if (!s) return [];
  return s
    .split(',')
    .filter((p) => p.trim())
    .map((p) => {
      const m = /^\s*([\w.\-/]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(p);
      if (!m) throw badRequest(`invalid field selector: ${JSON.stringify(p)}`);
      return { path: m[1]!, neg: m[2] === '!=', value: m[3]! };
    });
}

/** Field values by dotted path; the fields the real server indexes are all plain paths into the object. */
export function fieldValue(obj: KObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function matchFields(sel: FieldSelector, obj: KObject): boolean {
  return sel.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}
