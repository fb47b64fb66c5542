// `endpoints` and `maps`: the agents' status documents through the relay, as tables or JSON.
import type { EndpointStatus, MapEntriesPage, MapStatus } from '../api/status/types.ts';
import { statusPath } from '../api/status/paths.ts';
import { UserError } from '../lib/errors.ts';
import { formatTable as table } from '../lib/table.ts';
import { RelayApi, type RelayFlags } from './relay-api.ts';
import { endpointRows, entryRows, mapRows } from './status-views.ts';

async function withRelay<T>(f: RelayFlags, fn: (api: RelayApi) => Promise<T>): Promise<T> {
  const api = await RelayApi.connect(f);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

function report(failed: { node: string; error?: string }[]): void {
  for (const n of failed) process.stderr.write(`warning: node ${n.node}: ${n.error}\n`);
}

async function print(f: RelayFlags, value: unknown, rows: () => string[][]): Promise<void> {
  if (f.output === 'json') process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else if (f.output === 'yaml') process.stdout.write((await import('yaml')).stringify(value));
  else process.stdout.write(table(rows()));
}

export async function showEndpoints(f: RelayFlags & { node?: string }): Promise<void> {
  await withRelay(f, async (api) => {
    const answers = await api.query(statusPath.endpoints(), f.node);
    report(answers.filter((a) => a.error));
    const eps = answers.flatMap((a) => a.body ?? []);
    await print(f, eps, () => endpointRows(eps, f.output === 'wide'));
  });
}

export async function showMaps(f: RelayFlags & { name?: string; node?: string; offset: number; limit: number; continue?: string }): Promise<void> {
  if (f.name !== undefined && !/^[a-z0-9_]+$/.test(f.name)) throw new UserError(`invalid map name "${f.name}": list the maps with 'kubectl netobs maps'`);
  if (f.continue !== undefined && f.node === undefined) throw new UserError('maps --continue: a continue token belongs to one node\'s map: add --node NODE');
  await withRelay(f, async (api) => {
    if (f.name === undefined) {
      const answers = await api.query(statusPath.maps(), f.node);
      report(answers.filter((a) => a.error));
      const maps = answers.flatMap((a) => a.body ?? []);
      await print(f, maps, () => mapRows(maps));
      return;
    }
    const answers = await api.query(statusPath.mapEntries(f.name, { offset: f.offset, limit: f.limit, ...(f.continue ? { continue: f.continue } : {}) }), f.node);
    const failed = answers.filter((a) => a.error);
    if (failed.length === answers.length && failed.length > 0) throw new UserError(`maps ${f.name}: ${failed[0]!.error}`);
    report(failed);
    const pages = answers.flatMap((a) => (a.body ? [a.body] : []));
    await print(f, pages, () => entryRows(pages));
    for (const p of pages) if (p.continue) process.stderr.write(`node ${p.node}: more entries after these ${p.entries.length}: --node ${p.node} --continue ${p.continue}\n`);
  });
}
