// Regular expressions from policies run on untrusted input (request paths, hosts), so they are
// compiled with V8's linear-time engine (the `l` flag): no catastrophic backtracking whatever the
// pattern. That engine refuses backreferences and lookaround, which RE2 (the engine Cilium's
// policies are written for) refuses too, so a pattern valid for Cilium compiles here.
import { setFlagsFromString } from 'node:v8';

let enabled = false;

function enable(): void {
  if (enabled) return;
  // The flag only gates the `l` flag's parsing; it changes nothing for other expressions.
  setFlagsFromString('--enable-experimental-regexp-engine');
  enabled = true;
}

/**
 * `source` as a full match (Cilium anchors method, path and host regexes at both ends), run in
 * linear time. Throws a one-line error when the pattern is not a regex or needs backtracking.
 */
export function fullMatchRegex(source: string): RegExp {
  enable();
  try {
    new RegExp(source);
  } catch (err) {
    throw new Error(`is not a regular expression (${(err as Error).message})`, { cause: err });
  }
  try {
    return new RegExp(`^(?:${source})$`, 'l');
  } catch {
    throw new Error('needs backtracking (backreferences or lookaround), which RE2 (Cilium) refuses too: rewrite it without them');
  }
}
