// The datapath's drop counters (netobs_datapath_drops_total on each agent's metrics port) as the
// no-unexpected-packet-drops check reads them, and the check itself. Pure: text and counters in,
// problems out. A connectivity run drops on purpose by policy, and nothing else should drop.
import type { DropCounter } from './types.ts';

export const DROPS_METRIC = 'netobs_datapath_drops_total';

/** Drops the suite makes on purpose: its policies deny (default deny, or a deny rule). */
export const EXPECTED_DROP_REASONS: readonly string[] = ['POLICY_DENIED', 'POLICY_DENY'];

/** The drop counters of one agent's Prometheus text exposition. */
export function parseDropCounters(node: string, text: string): DropCounter[] {
  const out: DropCounter[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${DROPS_METRIC}{`)) continue;
    const m = /^\S+\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
    out.push({ node, direction: labels.direction ?? '', reason: labels.reason ?? '', packets: Number(m[2]) });
  }
  return out;
}

/** Drops since the start of the run for a reason the suite does not cause: one line each. */
export function unexpectedDrops(atStart: readonly DropCounter[], now: readonly DropCounter[], expected: readonly string[] = EXPECTED_DROP_REASONS): string[] {
  const key = (c: DropCounter) => `${c.node} ${c.direction} ${c.reason}`;
  const before = new Map(atStart.map((c) => [key(c), c.packets]));
  return now
    .filter((c) => !expected.includes(c.reason))
    .map((c) => ({ c, delta: c.packets - (before.get(key(c)) ?? 0) }))
    // A counter lower than at the start is an agent that restarted: all of it is new.
    .map(({ c, delta }) => ({ c, delta: delta < 0 ? c.packets : delta }))
    .filter(({ delta }) => delta > 0)
    .map(({ c, delta }) => `node ${c.node}: ${delta} packet${delta === 1 ? '' : 's'} dropped ${c.direction} with ${c.reason}`);
}
