// Resolves the final values: defaults, then the values reused from the last install (if any), then
// each `-f` file in order, then each `--set` in order, then `--image` and `--version`, which are
// explicit flags and so win. Pure except readValuesFile.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { defaultValues, type Values } from './values.ts';
import { applyAssignments, parseSet, SetSyntaxError } from './values-set.ts';
import { validateValues, ValuesError } from './values-validate.ts';

export interface ValuesInput {
  /** The version of this build; the default for `version` and the image tag. */
  buildVersion: string;
  /** What the user set at the last install (install/values-stored.ts), layered on the defaults first. */
  reused?: Record<string, unknown>;
  /** Parsed contents of each `-f` file, with the name for messages. */
  files?: { name: string; content: unknown }[];
  sets?: string[];
  image?: string;
  version?: string;
  namespace?: string;
}

type Tree = Record<string, unknown>;

const isMap = (x: unknown): x is Tree => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Helm's merge: maps merge key by key, anything else (lists included) replaces; null deletes. */
export function mergeValues(base: Tree, overlay: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k] as Tree, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

/** Splits `repo[:tag][@sha256:...]`; a colon before the last slash belongs to a registry port. */
export function parseImageRef(ref: string): { repository: string; tag: string; digest: string } {
  let rest = ref;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { repository: rest, tag: '', digest };
}

export function resolveValues(input: ValuesInput): Values {
  const defaults = defaultValues(input.buildVersion);
  let tree = structuredClone(defaults) as unknown as Tree;
  if (input.reused) tree = mergeValues(tree, input.reused);
  for (const f of input.files ?? []) {
    if (f.content === null || f.content === undefined) continue; // an empty file
    if (!isMap(f.content)) throw new ValuesError(`values file ${f.name}: expected a map at the top level`);
    tree = mergeValues(tree, f.content);
  }
  for (const s of input.sets ?? []) {
    try {
      applyAssignments(tree, parseSet(s));
    } catch (err) {
      if (err instanceof SetSyntaxError) throw new ValuesError(err.message);
      throw err;
    }
  }
  if (input.image !== undefined) {
    const img = parseImageRef(input.image);
    const image = (tree.image ?? {}) as Tree;
    // --image names the whole reference: a digest left from the defaults or a file would pin another image.
    tree.image = { ...image, repository: img.repository, tag: img.tag, digest: img.digest };
  }
  if (input.version !== undefined) tree.version = input.version;
  if (input.namespace !== undefined) tree.namespace = input.namespace;
  return validateValues(tree, defaults);
}

/** Reads and parses one `-f` file; errors name the file. */
export function readValuesFile(file: string): { name: string; content: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ValuesError(`values file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { name: file, content: parseYaml(text) as unknown };
  } catch (err) {
    throw new ValuesError(`values file ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}
