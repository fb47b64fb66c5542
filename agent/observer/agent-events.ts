// The agent's recent state changes as Hubble agent events (GetAgentEvents): a small ring of
// events with the same reading rules as the flow ring (last N, first N, since/until, follow).
// What goes in comes from the agent runtime (agent/runtime/agent-event-diff.ts).
import type { AgentEvent, GetAgentEventsRequest, GetAgentEventsResponse, Timestamp } from '../../api/types.ts';
import { compareTimestamps } from '../../api/flow-time.ts';

export const AGENT_EVENT_CAPACITY = 1024;

export class AgentEventLog {
  readonly #slots: GetAgentEventsResponse[] = [];
  #next = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly nodeName: string, private readonly now: () => Timestamp, readonly capacity = AGENT_EVENT_CAPACITY) {}

  get nextSeq(): number { return this.#next; }
  get oldestSeq(): number { return Math.max(0, this.#next - this.capacity); }

  add(event: AgentEvent): void {
    this.#slots[this.#next % this.capacity] = { agent_event: event, node_name: this.nodeName, time: this.now() };
    this.#next++;
    const w = this.#waiters;
    this.#waiters = [];
    for (const wake of w) wake();
  }

  at(seq: number): GetAgentEventsResponse | undefined {
    return seq >= this.oldestSeq && seq < this.#next ? this.#slots[seq % this.capacity] : undefined;
  }

  changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#waiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

/** The answer to a GetAgentEvents request: history as asked, then (follow) new events until the signal aborts. */
export async function* readAgentEvents(log: AgentEventLog, req: GetAgentEventsRequest, signal: AbortSignal): AsyncGenerator<GetAgentEventsResponse> {
  const inRange = (e: GetAgentEventsResponse): boolean =>
    !(req.since && compareTimestamps(e.time, req.since) < 0) && !(req.until && compareTimestamps(e.time, req.until) > 0);
  const n = req.number ?? 0;
  let seq: number;
  if (req.first || req.since) seq = log.oldestSeq;
  else if (n > 0) seq = Math.max(log.oldestSeq, log.nextSeq - n);
  else seq = req.follow ? log.nextSeq : log.oldestSeq;
  let sent = 0;
  const end = req.follow ? Infinity : log.nextSeq;
  for (;;) {
    while (seq < Math.min(end, log.nextSeq)) {
      if (signal.aborted) return;
      if (req.first && n > 0 && sent >= n) return;
      const e = log.at(Math.max(seq++, log.oldestSeq));
      if (!e) continue;
      if (req.until && compareTimestamps(e.time, req.until) > 0) return;
      if (!inRange(e)) continue;
      sent++;
      yield e;
    }
    if (!req.follow || signal.aborted) return;
    await log.changed(signal);
  }
}
