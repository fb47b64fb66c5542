// google.protobuf.Timestamp arithmetic without losing nanoseconds (seconds * 1e9 exceeds 2^53).
import type { Timestamp } from './types.ts';

export function compareTimestamps(a: Timestamp | undefined, b: Timestamp | undefined): number {
  const ds = (a?.seconds ?? 0) - (b?.seconds ?? 0);
  return ds !== 0 ? ds : (a?.nanos ?? 0) - (b?.nanos ?? 0);
}

export function timestampFromNs(ns: bigint): Timestamp {
  return { seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) };
}

export function timestampToNs(ts: Timestamp | undefined): bigint {
  return BigInt(ts?.seconds ?? 0) * 1_000_000_000n + BigInt(ts?.nanos ?? 0);
}

export function timestampFromMs(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

export function timestampToMs(ts: Timestamp | undefined): number {
  return (ts?.seconds ?? 0) * 1000 + (ts?.nanos ?? 0) / 1e6;
}
