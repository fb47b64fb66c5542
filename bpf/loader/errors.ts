// Errors of the loader: errno names, and the typed error for a kernel without a feature.
import os from 'node:os';

const names = new Map<number, string>(Object.entries(os.constants.errno).map(([k, v]) => [v, k]));

/** "EPERM (1)" style, for libbpf's negative return codes and errno values. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  if (n >= 4000 && n < 4100) return `libbpf error ${n} (malformed or unsupported object)`;
  return `${names.get(n) ?? 'errno'} (${n})`;
}

/** The kernel lacks something the datapath needs; says what and since which kernel. */
export class MissingFeatureError extends Error {
  constructor(
    readonly feature: string,
    readonly minKernel: string,
    cause?: unknown,
  ) {
    super(`kernel feature missing: ${feature} (needs Linux ${minKernel} or later)`, cause === undefined ? undefined : { cause });
    this.name = 'MissingFeatureError';
  }
}

/** A failed load with the verifier's log as the long form. */
export class LoadError extends Error {
  constructor(
    message: string,
    readonly verifierLog: string,
  ) {
    super(message);
    this.name = 'LoadError';
  }
}
