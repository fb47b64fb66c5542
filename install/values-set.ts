// Helm-like `--set` parsing: `a.b=c,d[0]=e,f={x,y}`. Values are typed as Helm types them
// (true/false, null, integers; everything else a string); a double-quoted value is always a
// string and may hold commas. A backslash escapes the next character (`a\.b` is one key).

export type PathSegment = string | number;
export type SetValue = string | number | boolean | null | SetValue[];

export interface Assignment {
  path: PathSegment[];
  value: SetValue;
}

export class SetSyntaxError extends Error {}

/** Parses one `--set` argument into its assignments, in order. */
export function parseSet(expr: string): Assignment[] {
  const out: Assignment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new SetSyntaxError(`--set ${expr}: ${why}`);
  };
  while (i < expr.length) {
    const path: PathSegment[] = [];
    let seg = '';
    let segUsed = false;
    // Key: segments separated by '.', list indexes in brackets, ends at '='.
    for (;;) {
      if (i >= expr.length) fail(`key "${path.join('.')}${seg}" has no value (use key=value)`);
      const c = expr[i]!;
      if (c === '\\' && i + 1 < expr.length) {
        seg += expr[i + 1];
        segUsed = true;
        i += 2;
      } else if (c === '.' || c === '=' || c === '[') {
        if (segUsed) path.push(seg);
        else if (c !== '[' || path.length === 0) fail(`empty key segment at offset ${i}`);
        seg = '';
        segUsed = false;
        i++;
        if (c === '=') break;
        if (c === '[') {
          const end = expr.indexOf(']', i);
          const idx = end < 0 ? '' : expr.slice(i, end);
          if (!/^\d+$/.test(idx)) fail(`invalid list index "[${idx}" (use a[0]=value)`);
          path.push(Number(idx));
          i = end + 1;
          if (expr[i] === '.') i++;
          else if (expr[i] !== '=' && expr[i] !== '[') fail(`unexpected "${expr[i] ?? 'end'}" after list index`);
          if (expr[i] === '=') {
            i++;
            break;
          }
        }
      } else if (c === ',') {
        fail(`key "${[...path, seg].join('.')}" has no value (use key=value)`);
      } else {
        seg += c;
        segUsed = true;
        i++;
      }
    }
    if (path.length === 0) fail('empty key');
    let value: SetValue;
    if (expr[i] === '{') {
      const items: SetValue[] = [];
      i++;
      while (expr[i] !== '}') {
        if (i >= expr.length) fail('unterminated list (missing "}")');
        const r = scanScalar(expr, i, ',}');
        items.push(r.value);
        i = r.next;
        if (expr[i] === ',') i++;
      }
      i++;
      value = items;
    } else {
      const r = scanScalar(expr, i, ',');
      value = r.value;
      i = r.next;
    }
    out.push({ path, value });
    if (i < expr.length) {
      if (expr[i] !== ',') fail(`unexpected "${expr[i]}" at offset ${i}`);
      i++;
    }
  }
  return out;
}

function scanScalar(s: string, start: number, stops: string): { value: SetValue; next: number } {
  let i = start;
  if (s[i] === '"') {
    let str = '';
    i++;
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      str += s[i];
      i++;
    }
    if (i >= s.length) throw new SetSyntaxError(`--set ${s}: unterminated quoted value`);
    return { value: str, next: i + 1 };
  }
  let raw = '';
  let escaped = false;
  while (i < s.length && !stops.includes(s[i]!)) {
    if (s[i] === '\\' && i + 1 < s.length) {
      escaped = true;
      i++;
    }
    raw += s[i];
    i++;
  }
  return { value: escaped ? raw : typed(raw), next: i };
}

/** Helm's typing: booleans, null and integers without leading zeros; the rest stays a string. */
function typed(raw: string): SetValue {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9]\d{0,15})$/.test(raw)) return Number(raw);
  return raw;
}

/** Applies assignments onto a plain object tree, creating maps and lists along the path; null deletes. */
export function applyAssignments(target: Record<string, unknown>, assignments: Assignment[]): void {
  for (const { path, value } of assignments) {
    let cur: unknown = target;
    for (let k = 0; k < path.length - 1; k++) {
      const seg = path[k]!;
      const nextIsIndex = typeof path[k + 1] === 'number';
      const container = cur as Record<string | number, unknown>;
      let child = container[seg];
      if (child === undefined || child === null || typeof child !== 'object') {
        child = nextIsIndex ? [] : {};
        container[seg] = child;
      }
      cur = child;
    }
    const last = path[path.length - 1]!;
    const container = cur as Record<string | number, unknown>;
    if (value === null && !Array.isArray(container)) delete container[last];
    else if (Array.isArray(container) && typeof last === 'number') {
      // Helm pads a list with nulls up to the index; the validator then names the hole.
      while (container.length < last) container.push(null);
      container[last] = value;
    } else container[last] = value;
  }
}

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
