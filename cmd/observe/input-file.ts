// `observe --input-file FILE`: flows from a file of JSON lines (what `observe -o json` and
// Hubble's exporter write: one GetFlowsResponse per line) instead of the relay, answered with
// the request rules of a node's flow ring (agent/observer/get-flows.ts, which the CLI does not
// load): filters, --last, --first, --since, --until; lost events pass filters and do not count
// towards N. `-` reads standard input; --follow reads to the end (a file has no future).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fromProtoJson } from '../../api/json-parse.ts';
import type { GetFlowsRequest, GetFlowsResponse } from '../../api/types.ts';
import { compileRequest } from '../../api/filter/request.ts';
import { compareTimestamps } from '../../api/flow-time.ts';
import { UserError } from '../../lib/errors.ts';

export async function readFlowFile(file: string): Promise<GetFlowsResponse[]> {
  const input = file === '-' ? process.stdin : createReadStream(file);
  const events: GetFlowsResponse[] = [];
  let n = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      try {
        events.push(fromProtoJson<GetFlowsResponse>('observer.GetFlowsResponse', JSON.parse(line)));
      } catch (err) {
        throw new UserError(`observe: --input-file ${file} line ${n}: ${(err as Error).message}`, { cause: err });
      }
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`observe: --input-file ${file}: ${(err as Error).message}`, { cause: err });
  }
  return events;
}

/** Pure: the events of `events` (in file order) that answer `req`. */
export function selectEvents(events: readonly GetFlowsResponse[], req: GetFlowsRequest): GetFlowsResponse[] {
  const q = compileRequest(req);
  const time = (e: GetFlowsResponse) => e.flow?.time ?? e.time;
  const inRange = events.filter((e) => !(q.since && compareTimestamps(time(e), q.since) < 0) && !(q.until && compareTimestamps(time(e), q.until) > 0));
  const chosen = inRange.filter((e) => !e.flow || q.predicate(e.flow));
  if (q.number === 0) return chosen;
  const order = q.first ? chosen : [...chosen].reverse();
  let flows = 0;
  const keep = new Set<GetFlowsResponse>();
  for (const e of order) {
    if (e.flow && flows >= q.number) break;
    if (e.flow) flows++;
    keep.add(e);
  }
  return chosen.filter((e) => keep.has(e));
}

export async function observeFile(file: string, req: GetFlowsRequest, write: (res: GetFlowsResponse) => void): Promise<void> {
  try {
    compileRequest(req);
  } catch (err) {
    throw new UserError(`observe: ${(err as Error).message}`, { cause: err });
  }
  for (const ev of selectEvents(await readFlowFile(file), req)) write(ev);
}
