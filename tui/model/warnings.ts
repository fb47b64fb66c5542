// The flow-rate and drop warnings of the header: events lost right now (the datapath's ring or
// the relay's queues could not keep up, so every view undercounts) and ring buffers close to full
// (the next burst will be lost). Pure, so the thresholds are tested as a table.
import type { MapInfo } from './types.ts';

/** Fill level of a ring buffer from which it is worth a warning. */
export const RING_PRESSURE_WARN = 0.8;
/** Seconds over which lost events count as "now". */
export const LOST_WINDOW_SECONDS = 10;

export interface WarningInput {
  /** Events lost in the last LOST_WINDOW_SECONDS. */
  recentLost: number;
  maps: readonly MapInfo[] | undefined;
  flowsPerSecond: number;
  dropsPerSecond: number;
}

export function streamWarnings(i: WarningInput): string[] {
  const out: string[] = [];
  if (i.recentLost > 0) out.push(`⚠ ${i.recentLost} events lost in ${LOST_WINDOW_SECONDS}s: counts are low`);
  const rings = (i.maps ?? []).filter((m) => m.type === 'ringbuf' && m.pressure >= RING_PRESSURE_WARN)
    .sort((a, b) => b.pressure - a.pressure);
  if (rings.length) {
    const worst = rings[0]!;
    out.push(`⚠ ring ${worst.node} ${Math.round(worst.pressure * 100)}% full${rings.length > 1 ? ` (+${rings.length - 1} more)` : ''}`);
  }
  if (i.flowsPerSecond > 0 && i.dropsPerSecond / i.flowsPerSecond >= 0.5) out.push(`⚠ ${Math.round((100 * i.dropsPerSecond) / i.flowsPerSecond)}% of flows dropped`);
  return out;
}
