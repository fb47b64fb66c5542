// Regular expressions that come from clients (flow filters) or policies run on untrusted input,
// so they are compiled with re2js, a port of RE2: matching time is linear in the input whatever
// the pattern, and the accepted syntax is RE2's, the syntax Hubble and Cilium (Go's regexp)
// accept: `(?i)`, `(?P<name>…)`, `[[:alpha:]]`, `\pL`; no backreferences, no lookaround.
import { RE2JS } from 're2js';

/** Longest pattern accepted: RE2's program grows with the pattern, and so does matching. */
export const MAX_PATTERN_LENGTH = 1024;

export interface LinearRegex {
  /** Whether the pattern matches anywhere in `s` (Go's MatchString). */
  test(s: string): boolean;
  readonly source: string;
}

/** Compiles an RE2 pattern; throws a one-line error saying why a pattern is refused. */
export function compileLinear(source: string, maxLength = MAX_PATTERN_LENGTH): LinearRegex {
  if (source.length > maxLength) throw new Error(`pattern longer than ${maxLength} characters`);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    throw new Error(`not an RE2 regular expression: ${(err as Error).message}`, { cause: err });
  }
  return { source, test: (s) => re.test(s) };
}
