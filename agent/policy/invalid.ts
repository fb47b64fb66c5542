// One-line validation errors that name the field path and the bad value, e.g.
//   spec.ingress[0].fromCIDRSet[1].cidr: "10.0.0.0/33" is not a CIDR (use a.b.c.d/n or x::/n)
// Parsers throw PolicyInvalid at the first problem; validatePolicy turns it into a result.

export class PolicyInvalid extends Error {
  readonly path: string;

  constructor(path: string, cause: string) {
    super(path === '' ? cause : `${path}: ${cause}`);
    this.name = 'PolicyInvalid';
    this.path = path;
  }
}

export function fail(path: string, cause: string): never {
  throw new PolicyInvalid(path, cause);
}

/** A value as it appears in a message: JSON, cut short. */
export function show(v: unknown): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) fail(path, `${show(v)} is not an object`);
  return v;
}

/** An optional list; null counts as absent, as in YAML `ingress:` with nothing after it. */
export function list(v: unknown, path: string): readonly unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) fail(path, `${show(v)} is not a list`);
  return v;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `${show(v)} is not a string`);
  return v;
}

export function optStr(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function bool(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(path, `${show(v)} is not true or false`);
  return v;
}

/**
 * Rejects fields netobs does not know (a typo would otherwise silently widen a policy) and
 * fields it knows but does not enforce, with the reason.
 */
export function onlyKeys(o: Obj, path: string, known: readonly string[], unsupported: Readonly<Record<string, string>> = {}): void {
  for (const k of Object.keys(o)) {
    const at = path === '' ? k : `${path}.${k}`;
    const why = unsupported[k];
    if (why !== undefined) fail(at, `not supported by netobs (${why})`);
    if (!known.includes(k)) fail(at, `unknown field (known: ${known.join(', ')})`);
  }
}
