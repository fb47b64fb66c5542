// Cilium's DNS name selectors (`rules.dns` and `toFQDNs`): `matchName` is one exact name,
// `matchPattern` a name where `*` stands for any run (also empty) of the characters a DNS label
// holds (letters, digits, '-', '_'), never a dot; a lone `*` matches every name. Names compare
// without case and with the trailing dot of the fully qualified form made implicit. Pure.

/** Characters a selector may hold: what a DNS name holds, plus `*` in patterns. */
const NAME_CHARS = /^[-a-z0-9_.]+$/;
const PATTERN_CHARS = /^[-a-z0-9_.*]+$/;

export interface DnsSelector {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** The canonical form names are compared in: lowercase, no trailing dot (the root is ''). */
export function canonicalName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Why a selector is not valid, or undefined; the parser reports this against the field. */
export function selectorProblem(s: DnsSelector): string | undefined {
  if (s.matchName !== undefined) {
    const n = canonicalName(s.matchName);
    if (!n || !NAME_CHARS.test(n) || n.split('.').some((l) => l === '' || l.length > 63)) {
      return `matchName ${JSON.stringify(s.matchName)} is not a DNS name (labels of 1-63 letters, digits, '-' or '_', separated by dots)`;
    }
  }
  if (s.matchPattern !== undefined) {
    const p = canonicalName(s.matchPattern);
    if (!p || !PATTERN_CHARS.test(p) || p.split('.').some((l) => l === '')) {
      return `matchPattern ${JSON.stringify(s.matchPattern)} is not a DNS name pattern (letters, digits, '-', '_' and '*' in dot-separated labels)`;
    }
  }
  return undefined;
}

/** A compiled selector: true when the queried name is selected. */
export type NameMatcher = (name: string) => boolean;

function escape(s: string): string {
  return s.replace(/[.]/g, '\\.');
}

/** Compiles one selector (valid per selectorProblem); one with both fields selects what either selects, as in Cilium. */
export function compileSelector(s: DnsSelector): NameMatcher {
  const tests: NameMatcher[] = [];
  if (s.matchName !== undefined) {
    const want = canonicalName(s.matchName);
    tests.push((n) => canonicalName(n) === want);
  }
  if (s.matchPattern !== undefined) {
    const p = canonicalName(s.matchPattern);
    if (p === '*') tests.push(() => true);
    else {
      const re = new RegExp(`^${p.split('*').map(escape).join('[-a-z0-9_]*')}$`);
      tests.push((n) => re.test(canonicalName(n)));
    }
  }
  return (n) => tests.some((t) => t(n));
}

/** True when any of the selectors selects `name` (rules are OR-ed, as Cilium's are). */
export function anySelects(selectors: readonly DnsSelector[], name: string): boolean {
  return selectors.some((s) => {
    let m = compiled.get(s);
    if (!m) compiled.set(s, (m = compileSelector(s)));
    return m(name);
  });
}

const compiled = new WeakMap<DnsSelector, NameMatcher>();
