// Policy verdict aggregates: allowed and denied counts per policy and per endpoint pair, and the
// latest denials, so the Verdicts view answers "which policy blocks what". Bounded: when a table
// outgrows its cap the least recently seen rows go.
import type { Flow } from '../../api/types.ts';
import { endpointName, isDrop, isPolicyVerdict, policiesOf, policyName, portProto } from './flow-facts.ts';
import { Ring } from './ring.ts';

export interface VerdictRow {
  key: string;
  allowed: number;
  denied: number;
  /** Arrival sequence of the last verdict and of the last denial (higher = more recent). */
  lastSeen: number;
  lastDenied: number;
  /** Last destination port/protocol seen for the row (`TCP/80`). */
  lastPort: string;
}

export const DEFAULT_DENY = '(default deny)';
export const UNNAMED_ALLOW = '(allowed, no policy named)';

export class VerdictBook {
  readonly byPolicy = new Map<string, VerdictRow>();
  readonly byPair = new Map<string, VerdictRow>();
  readonly denials: Ring<Flow>;
  #seq = 0;

  constructor(readonly maxRows = 2000, denialsKept = 500) {
    this.denials = new Ring<Flow>(denialsKept);
  }

  add(f: Flow): void {
    if (!isPolicyVerdict(f)) return;
    const denied = isDrop(f);
    const seq = ++this.#seq;
    const port = portProto(f);
    const named = policiesOf(f);
    const policies = named.length ? named.map(policyName) : [denied ? DEFAULT_DENY : UNNAMED_ALLOW];
    for (const p of policies) this.#bump(this.byPolicy, p, denied, seq, port);
    const pair = `${endpointName(f.source, f.IP?.source)} → ${endpointName(f.destination, f.IP?.destination)}`;
    this.#bump(this.byPair, pair, denied, seq, port);
    if (denied) this.denials.push(f);
  }

  /** Rows sorted with the latest denials first, then the busiest. */
  rows(table: 'policy' | 'pair'): VerdictRow[] {
    const m = table === 'policy' ? this.byPolicy : this.byPair;
    return [...m.values()].sort((a, b) => b.lastDenied - a.lastDenied || (b.allowed + b.denied) - (a.allowed + a.denied) || a.key.localeCompare(b.key));
  }

  #bump(m: Map<string, VerdictRow>, key: string, denied: boolean, seq: number, port: string): void {
    let row = m.get(key);
    if (!row) {
      row = { key, allowed: 0, denied: 0, lastSeen: seq, lastDenied: 0, lastPort: '' };
      m.set(key, row);
      if (m.size > this.maxRows * 1.25) this.#evict(m); // the new row is the newest: it stays
    }
    if (denied) { row.denied++; row.lastDenied = seq; } else row.allowed++;
    row.lastSeen = seq;
    if (port) row.lastPort = port;
  }

  // Batch eviction keeps the amortised cost per flow O(1).
  #evict(m: Map<string, VerdictRow>): void {
    const keep = [...m.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, this.maxRows);
    m.clear();
    for (const r of keep) m.set(r.key, r);
  }
}
