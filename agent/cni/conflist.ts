// The node's CNI network configuration, as netobs edits it: append netobs's plugin to the chain
// of the conflist the runtime uses (install), take it out again (uninstall). The runtime uses the
// first file of the conf dir in lexical order (kubelet / containerd), so that is the one edited.
// Pure apart from the small file helpers at the end.
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CNI_PLUGIN_TYPE } from './protocol.ts';

type Json = Record<string, unknown>;

/** The file the runtime loads: the first *.conflist, *.conf or *.json by name. */
export function activeConfFile(names: readonly string[]): string | undefined {
  return [...names].filter((n) => /\.(conflist|conf|json)$/.test(n)).sort()[0];
}

function parseList(text: string, file: string): Json & { plugins: Json[] } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: not a JSON object`);
  const plugins = (v as Json)['plugins'];
  if (!Array.isArray(plugins) || plugins.length === 0) {
    throw new Error(`${file}: a single-plugin .conf cannot chain netobs; convert it to a .conflist with a "plugins" list`);
  }
  return v as Json & { plugins: Json[] };
}

const isNetobs = (p: Json) => p['type'] === CNI_PLUGIN_TYPE;

/** The conflist with netobs's plugin last in the chain (moved there if present elsewhere). */
export function chainNetobs(text: string, entry: Json = {}, file = 'conflist'): string {
  const list = parseList(text, file);
  const plugins = list.plugins.filter((p) => !isNetobs(p));
  if (plugins.length === 0) throw new Error(`${file}: no plugin creates the pod's interface; netobs only chains after one`);
  return JSON.stringify({ ...list, plugins: [...plugins, { type: CNI_PLUGIN_TYPE, ...entry }] }, null, 2) + '\n';
}

/** The conflist without netobs's plugin. */
export function unchainNetobs(text: string, file = 'conflist'): string {
  const list = parseList(text, file);
  return JSON.stringify({ ...list, plugins: list.plugins.filter((p) => !isNetobs(p)) }, null, 2) + '\n';
}

/** Whether netobs's plugin is in the chain, and last (what start-up protection needs). */
export function chainState(text: string, file = 'conflist'): 'last' | 'not-last' | 'absent' {
  const list = parseList(text, file);
  const i = list.plugins.findIndex(isNetobs);
  return i < 0 ? 'absent' : i === list.plugins.length - 1 ? 'last' : 'not-last';
}

/** Rewrites the active conflist of a conf dir through `edit`; returns the file, or undefined when there is none. */
export async function editActiveConflist(confDir: string, edit: (text: string, file: string) => string): Promise<string | undefined> {
  const name = activeConfFile(await readdir(confDir).catch(() => []));
  if (!name) return undefined;
  const file = path.join(confDir, name);
  const before = await readFile(file, 'utf8');
  const after = edit(before, file);
  if (after === before) return file;
  // Atomic: the runtime may read the file at any moment.
  const tmp = path.join(confDir, `.${name}.netobs-tmp`);
  await writeFile(tmp, after);
  await rename(tmp, file);
  return file;
}
