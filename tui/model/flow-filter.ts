// The filter bar of the Flows view: the `hubble observe` filter flags (`--verdict DROPPED --pod
// default/xwing`), compiled by the same code as `kubectl netobs observe` (agent/flow), so the bar
// and the command agree on every flag. A word without a flag matches pod, IP or DNS name text on
// either side (k9s habit).
import type { Flow } from '../../api/types.ts';
import { FILTER_FLAGS, scanFilterArgs } from '../../api/filter/cli-flags.ts';
import { buildFlowFilters } from '../../api/filter/cli-filters.ts';
import { compileFilters } from '../../api/filter/filter.ts';

export interface CompiledFilter { text: string; match: (f: Flow) => boolean }

const LONG = new Map(FILTER_FLAGS.map((f) => [f.name, f]));
const SHORT = new Map(FILTER_FLAGS.filter((f) => f.alias).map((f) => [f.alias!, f]));

/** Split like a shell: whitespace separates, quotes group. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function freeText(word: string): (f: Flow) => boolean {
  const w = word.toLowerCase();
  const side = (pod: string | undefined, ns: string | undefined, ip: string | undefined, names: string[] | undefined) =>
    (ip ?? '').includes(w) || `${ns ?? ''}/${pod ?? ''}`.toLowerCase().includes(w) || (names ?? []).some((n) => n.toLowerCase().includes(w));
  return (f) => side(f.source?.pod_name, f.source?.namespace, f.IP?.source, f.source_names) ||
    side(f.destination?.pod_name, f.destination?.namespace, f.IP?.destination, f.destination_names);
}

/** Compile the filter bar text; throws Error with a one-line message on bad input. Empty text matches all. */
export function compileFilter(text: string): CompiledFilter {
  const tokens = tokenize(text);
  const flagTokens: string[] = [];
  const words: ((f: Flow) => boolean)[] = [];
  // scanFilterArgs skips what it does not know (the observe command's parser reports it): here
  // the bar is the only parser, so unknown flags and missing values are errors.
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (!tok.startsWith('-') || tok === '-') { words.push(freeText(tok)); continue; }
    const long = tok.startsWith('--');
    const name = long ? tok.slice(2).split('=')[0]! : tok.slice(1, 2);
    const flag = long ? LONG.get(name) : tok.length === 2 || tok[2] === '=' ? SHORT.get(name) : undefined;
    if (!flag) throw new Error(`unknown filter flag ${tok}`);
    flagTokens.push(tok);
    if (!flag.boolean && !tok.includes('=')) {
      const value = tokens[++i];
      if (value === undefined) throw new Error(`${tok} needs a value`);
      flagTokens.push(value);
    }
  }
  let flows: (f: Flow) => boolean;
  try {
    const { whitelist, blacklist } = buildFlowFilters(scanFilterArgs(flagTokens));
    flows = compileFilters(whitelist, blacklist);
  } catch (err) {
    throw new Error((err as Error).message.replace(/^observe: /, ''));
  }
  const match = words.length === 0 ? flows : (f: Flow) => flows(f) && words.every((w) => w(f));
  return { text: text.trim(), match };
}
