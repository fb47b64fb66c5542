// Connections: flows aggregated per workload pair x destination port x protocol, with what a
// platform engineer asks of a pair: how busy (flows/s, HTTP requests/s), how broken (drops and their
// top reason, 5xx ratio, DNS errors) and how slow (HTTP p50/p99). A reply is folded onto the
// connection it answers (client → server, the server's port), so one exchange is one row.
// Bounded like the verdict book: beyond the cap the least recently seen rows go, in batches.
import { L7FlowType, type Flow } from '../../api/types.ts';
import { endpointName, isDrop } from './flow-facts.ts';
import { RateSeries } from './rate-series.ts';

/** HTTP latencies kept per row for the percentiles (the newest ones). */
const LATENCY_SAMPLES = 256;

export interface ConnectionRow {
  key: string;
  source: string;
  destination: string;
  /** `TCP/80`, `UDP/53`, `ICMPv4`, or '' when the flow has no L4. */
  port: string;
  flows: number;
  drops: number;
  /** Drops by drop reason number (api/types.ts DropReason). */
  dropReasons: Map<number, number>;
  httpRequests: number;
  httpResponses: number;
  http5xx: number;
  dnsResponses: number;
  /** DNS responses with a non-zero rcode. */
  dnsErrors: number;
  lastSeen: number;
  /** Events per second (arrival time), three seconds of history each. */
  flowRate: RateSeries;
  httpRate: RateSeries;
  /** Ring of the newest HTTP latencies in ms (allocated at the first HTTP response). */
  latencies: Float64Array | null;
  latencyCount: number;
}

/** A row and its rates at one moment (what the views render). */
export interface ConnectionStat { row: ConnectionRow; flowsPerSecond: number; httpPerSecond: number }

/** The pair, port and protocol a flow counts for, with replies turned around. */
export function connectionOf(f: Flow): { source: string; destination: string; port: string } {
  const reply = f.is_reply?.value === true;
  const src = endpointName(f.source, f.IP?.source);
  const dst = endpointName(f.destination, f.IP?.destination);
  const l4 = f.l4;
  let port = '';
  if (l4) {
    const p = l4.TCP ?? l4.UDP ?? l4.SCTP;
    const proto = l4.TCP ? 'TCP' : l4.UDP ? 'UDP' : l4.SCTP ? 'SCTP' : l4.ICMPv4 ? 'ICMPv4' : l4.ICMPv6 ? 'ICMPv6' : '';
    port = p ? `${proto}/${(reply ? p.source_port : p.destination_port) ?? 0}` : proto;
  }
  return reply ? { source: dst, destination: src, port } : { source: src, destination: dst, port };
}

export class ConnectionBook {
  readonly rows = new Map<string, ConnectionRow>();
  #seq = 0;

  constructor(readonly maxRows = 2000) {}

  add(f: Flow, nowMs: number): void {
    const c = connectionOf(f);
    const key = `${c.source}\u0000${c.destination}\u0000${c.port}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        key, ...c, flows: 0, drops: 0, dropReasons: new Map(), httpRequests: 0, httpResponses: 0, http5xx: 0,
        dnsResponses: 0, dnsErrors: 0, lastSeen: 0, flowRate: new RateSeries(3), httpRate: new RateSeries(3),
        latencies: null, latencyCount: 0,
      };
      this.rows.set(key, row);
      row.lastSeen = ++this.#seq; // the new row is the newest: eviction keeps it
      if (this.rows.size > this.maxRows * 1.25) this.#evict();
    }
    row.lastSeen = ++this.#seq;
    row.flows++;
    row.flowRate.add(1, nowMs);
    if (isDrop(f)) {
      row.drops++;
      const r = f.drop_reason_desc ?? 0;
      row.dropReasons.set(r, (row.dropReasons.get(r) ?? 0) + 1);
    }
    const l7 = f.l7;
    if (!l7) return;
    if (l7.http) {
      if (l7.type === L7FlowType.REQUEST) { row.httpRequests++; row.httpRate.add(1, nowMs); }
      else if (l7.type === L7FlowType.RESPONSE) {
        row.httpResponses++;
        if ((l7.http.code ?? 0) >= 500) row.http5xx++;
        if (l7.latency_ns) {
          row.latencies ??= new Float64Array(LATENCY_SAMPLES);
          row.latencies[row.latencyCount++ % LATENCY_SAMPLES] = l7.latency_ns / 1e6;
        }
      }
    } else if (l7.dns && l7.type === L7FlowType.RESPONSE) {
      row.dnsResponses++;
      if ((l7.dns.rcode ?? 0) !== 0) row.dnsErrors++;
    }
  }

  /** Rows with their current rates, busiest first (flows/s of the last second, then all flows), then by key. */
  snapshot(nowMs: number): ConnectionStat[] {
    const out: ConnectionStat[] = [];
    for (const row of this.rows.values()) out.push({ row, flowsPerSecond: row.flowRate.perSecond(nowMs), httpPerSecond: row.httpRate.perSecond(nowMs) });
    return out.sort((a, b) => b.flowsPerSecond - a.flowsPerSecond || b.row.flows - a.row.flows || a.row.key.localeCompare(b.row.key));
  }

  #evict(): void {
    const keep = [...this.rows.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, this.maxRows);
    this.rows.clear();
    for (const r of keep) this.rows.set(r.key, r);
  }
}

/** The most frequent drop reason of a row, or undefined without drops. */
export function topDropReason(r: ConnectionRow): number | undefined {
  let best: number | undefined;
  let n = 0;
  for (const [reason, count] of r.dropReasons) if (count > n) { best = reason; n = count; }
  return best;
}

/** The p-th percentile (0..100) of a row's kept HTTP latencies in ms, or undefined without any. */
export function latencyPercentile(r: ConnectionRow, p: number): number | undefined {
  if (!r.latencies || r.latencyCount === 0) return undefined;
  const n = Math.min(r.latencyCount, r.latencies.length);
  const s = r.latencies.slice(0, n).sort();
  return s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
}

/** Share of HTTP responses with a 5xx status, or undefined without responses. */
export function serverErrorRatio(r: ConnectionRow): number | undefined {
  return r.httpResponses ? r.http5xx / r.httpResponses : undefined;
}
