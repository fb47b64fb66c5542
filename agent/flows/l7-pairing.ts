// Pairs L7 responses with their requests to measure latency: per connection (or per DNS query
// id) a FIFO of outstanding requests, since HTTP/1.1 pipelined responses come back in order.
// Bounded in size and age; what falls out is counted so that a leak of unanswered requests shows.

export interface Paired<R> { request: R; latencyNs: number }

export class L7Pairing<R> {
  private readonly pending = new Map<string, { req: R; atNs: bigint }[]>();
  private count = 0;
  /** Requests dropped unanswered (too many outstanding, or older than maxAgeNs). */
  evicted = 0;

  constructor(readonly maxPending = 16384, readonly maxAgeNs = 30_000_000_000n) {}

  get size(): number { return this.count; }

  request(key: string, req: R, atNs: bigint): void {
    if (this.count >= this.maxPending) this.evictOldestKey();
    let q = this.pending.get(key);
    if (!q) this.pending.set(key, (q = []));
    q.push({ req, atNs });
    this.count++;
  }

  /** The oldest outstanding request on this key, with the time it took; undefined if none. */
  response(key: string, atNs: bigint): Paired<R> | undefined {
    const q = this.pending.get(key);
    const first = q?.shift();
    if (!q || !first) return undefined;
    this.count--;
    if (q.length === 0) this.pending.delete(key);
    const latency = atNs - first.atNs;
    return { request: first.req, latencyNs: Number(latency > 0n ? latency : 0n) };
  }

  /** Drops requests older than maxAgeNs; returns how many. */
  expire(nowNs: bigint): number {
    let n = 0;
    for (const [key, q] of this.pending) {
      while (q.length > 0 && nowNs - (q[0]?.atNs ?? nowNs) > this.maxAgeNs) {
        q.shift();
        n++;
      }
      if (q.length === 0) this.pending.delete(key);
    }
    this.count -= n;
    this.evicted += n;
    return n;
  }

  private evictOldestKey(): void {
    const [key, q] = this.pending.entries().next().value ?? [];
    if (key === undefined || !q) return;
    q.shift();
    this.count--;
    this.evicted++;
    if (q.length === 0) this.pending.delete(key);
  }
}

/** Key of a connection as seen from the client side; a response looks it up with its ports swapped. */
export function connectionKey(clientIp: string, clientPort: number, serverIp: string, serverPort: number, extra = ''): string {
  return `${clientIp}|${clientPort}|${serverIp}|${serverPort}|${extra}`;
}
