// GetFlows request evaluation over the flow ring, as hubble's observer does it:
//   number N            the last N matching flows (first: the first N), then stop;
//   number 0            every matching flow held (with follow and no since: none);
//   since / until       time bounds (until also ends a follow);
//   follow              after the history, stream new events until the signal aborts.
// Lost events pass every filter and do not count towards N. A reader the ring laps gets a
// HUBBLE_RING_BUFFER LostEvent with the number of events it missed.
import type { GetFlowsRequest, GetFlowsResponse, Timestamp } from '../../api/types.ts';
import { LostEventSource } from '../../api/types.ts';
import { compileRequest, type Query } from '../../api/filter/request.ts';
import { lostEvent, type FlowRing } from './ring.ts';
import { compareTimestamps } from '../../api/flow-time.ts';

/**
 * A filter that matches nothing reads the whole ring, and a costly one (a regex over every DNS
 * name) takes its time per entry: a request gives the event loop (other calls, /healthz, the flow
 * pipeline) a turn once it has held it for SLICE_MS, checked every CHECK_EVERY entries.
 */
const SLICE_MS = 2;
const CHECK_EVERY = 16;

class Pacer {
  #n = 0;
  #since = performance.now();

  /** A promise to await when the slice is used up, else undefined (no await, no cost). */
  tick(): Promise<void> | undefined {
    if (++this.#n % CHECK_EVERY !== 0 || performance.now() - this.#since < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => {
      this.#since = performance.now();
      resolve();
    }));
  }
}

const timeOf = (ev: GetFlowsResponse): Timestamp | undefined => ev.flow?.time ?? ev.time;

/** Whether the event is inside [since, until]. */
function inRange(q: Query, ev: GetFlowsResponse): boolean {
  const t = timeOf(ev);
  if (q.since && compareTimestamps(t, q.since) < 0) return false;
  return !(q.until && compareTimestamps(t, q.until) > 0);
}

const selected = (q: Query, ev: GetFlowsResponse): boolean => (ev.flow ? q.predicate(ev.flow) : true) && inRange(q, ev);

/** Sequence number where the history part of the answer starts. */
async function startSeq(ring: FlowRing, q: Query, pace: Pacer): Promise<number> {
  if (q.first) return ring.oldestSeq;
  if (q.number === 0) {
    if (q.follow && !q.since) return ring.nextSeq;
    if (!q.since) return ring.oldestSeq;
  }
  // Walk back until N matching flows are behind us or the events get older than since.
  let found = 0;
  let seq = ring.nextSeq;
  while (seq > ring.oldestSeq) {
    const turn = pace.tick();
    if (turn) await turn;
    const ev = ring.at(seq - 1);
    if (!ev) break;
    if (q.since && compareTimestamps(timeOf(ev), q.since) < 0) break;
    seq--;
    if (ev.flow && selected(q, ev) && q.number > 0 && ++found >= q.number) break;
  }
  return seq;
}

/** The answer to a GetFlows request, as an async stream; abort the signal to end a follow. */
export async function* getFlows(ring: FlowRing, req: GetFlowsRequest, signal?: AbortSignal): AsyncGenerator<GetFlowsResponse> {
  const q = compileRequest(req);
  const pace = new Pacer();
  let seq = await startSeq(ring, q, pace);
  let flows = 0;
  // Without follow the answer is a snapshot: events written while it streams are not part of it.
  const end = q.follow ? Infinity : ring.nextSeq;
  const limitReached = (): boolean => !q.follow && q.number > 0 && flows >= q.number;
  for (;;) {
    while (seq < Math.min(end, ring.nextSeq)) {
      if (signal?.aborted || limitReached()) return;
      const turn = pace.tick();
      if (turn) await turn;
      if (seq < ring.oldestSeq) {
        const missed = ring.oldestSeq - seq;
        ring.readerLost += missed;
        seq = ring.oldestSeq;
        yield lostEvent(LostEventSource.HUBBLE_RING_BUFFER, missed, ring.at(seq)?.time ?? {});
        continue;
      }
      const ev = ring.at(seq++);
      if (!ev) continue;
      if (q.until && compareTimestamps(timeOf(ev), q.until) > 0) return;
      if (!selected(q, ev)) continue;
      if (ev.flow) flows++;
      yield ev;
    }
    if (!q.follow || signal?.aborted || limitReached()) return;
    await ring.changed(signal);
  }
}
