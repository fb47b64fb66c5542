// `probe perf`: what `connectivity perf` runs in the client pod against an echo pod. Throughput:
// one TCP connection downloading the echo role's `/bytes/N` for the duration (bytes received
// over the time they took). Latency: UDP request/response with the echo role's UDP echo, one
// datagram in flight, for the duration (like netperf's UDP_RR). Never throws: errors are results.
import dgram from 'node:dgram';
import http from 'node:http';
import { errorText, parseHostPort } from './target.ts';

export interface PerfResult {
  target: string;
  ok: boolean;
  error?: string;
  throughput?: { bytes: number; seconds: number; bitsPerSecond: number };
  latency?: { samples: number; lost: number; minUs: number; p50Us: number; p90Us: number; p99Us: number; maxUs: number; meanUs: number };
}

const STREAM_BYTES = 2 ** 40;

async function throughput(host: string, port: number, ms: number): Promise<NonNullable<PerfResult['throughput']>> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let first = 0n;
    let stopped = false;
    const req = http.get({ host, port, path: `/bytes/${STREAM_BYTES}`, agent: false, headers: { connection: 'close' } }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        return reject(new Error(`GET /bytes: HTTP ${res.statusCode}`));
      }
      // Timed from the first byte: connection set-up is latency's business, not throughput's.
      res.on('data', (c: Buffer) => {
        if (first === 0n) first = process.hrtime.bigint();
        else bytes += c.length;
      });
      res.on('error', () => {});
      setTimeout(() => {
        stopped = true;
        const seconds = first === 0n ? 0 : Number(process.hrtime.bigint() - first) / 1e9;
        req.destroy();
        if (bytes === 0 || seconds === 0) return reject(new Error('no data received'));
        resolve({ bytes, seconds, bitsPerSecond: (bytes * 8) / seconds });
      }, ms);
    });
    req.setTimeout(ms + 5000, () => req.destroy(new Error(`timeout after ${ms + 5000}ms`)));
    req.on('error', (err) => {
      if (!stopped) reject(err);
    });
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function latency(host: string, port: number, ms: number, replyTimeoutMs = 1000): Promise<NonNullable<PerfResult['latency']>> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const samples: number[] = [];
  let lost = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(port, host, () => resolve());
    });
    const end = Date.now() + ms;
    let seq = 0;
    while (Date.now() < end) {
      const payload = Buffer.alloc(32);
      payload.writeUInt32BE(++seq, 0);
      const t0 = process.hrtime.bigint();
      const answered = await new Promise<boolean>((resolve) => {
        const onMsg = (m: Buffer) => {
          if (m.length >= 4 && m.readUInt32BE(0) === seq) done(true);
        };
        const timer = setTimeout(() => done(false), replyTimeoutMs);
        const done = (v: boolean) => {
          clearTimeout(timer);
          sock.off('message', onMsg);
          resolve(v);
        };
        sock.on('message', onMsg);
        sock.send(payload);
      });
      if (answered) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      else lost++;
    }
  } finally {
    sock.close();
  }
  if (samples.length === 0) throw new Error(`no UDP echo answered (${lost} lost)`);
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    samples: sorted.length, lost, minUs: round(sorted[0]!), p50Us: round(percentile(sorted, 50)), p90Us: round(percentile(sorted, 90)),
    p99Us: round(percentile(sorted, 99)), maxUs: round(sorted.at(-1)!), meanUs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** Throughput for `durationMs`, then latency for as long. */
export async function probePerf(target: string, durationMs: number): Promise<PerfResult> {
  try {
    const { host, port } = parseHostPort(target, 8080);
    const tp = await throughput(host, port, durationMs);
    const lat = await latency(host, port, durationMs);
    return { target, ok: true, throughput: tp, latency: lat };
  } catch (err) {
    return { target, ok: false, error: errorText(err) };
  }
}
