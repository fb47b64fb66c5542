// `--test REGEX` selection as cilium-cli users know it: patterns without `!` include (any may
// match; none given includes everything), patterns starting with `!` exclude, excludes win.
import { UserError } from '../../lib/errors.ts';

export interface Selection {
  include: RegExp[];
  exclude: RegExp[];
}

export function parseSelection(patterns: readonly string[]): Selection {
  const sel: Selection = { include: [], exclude: [] };
  // No splitting on commas: a regex may contain one (`a{1,2}`); the flag repeats instead.
  for (const p of patterns) {
    if (p === '') continue;
    const negated = p.startsWith('!');
    const source = negated ? p.slice(1) : p;
    let re: RegExp;
    try {
      re = new RegExp(source);
    } catch (err) {
      throw new UserError(`invalid --test "${p}": ${(err as Error).message} (use a JavaScript regular expression, ! to exclude)`);
    }
    (negated ? sel.exclude : sel.include).push(re);
  }
  return sel;
}

export function isSelected(name: string, sel: Selection): boolean {
  if (sel.exclude.some((re) => re.test(name))) return false;
  return sel.include.length === 0 || sel.include.some((re) => re.test(name));
}

export function selectTests<T extends { name: string }>(tests: readonly T[], sel: Selection): T[] {
  return tests.filter((t) => isSelected(t.name, sel));
}
