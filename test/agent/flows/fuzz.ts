// Deterministic randomness for the parser fuzz tests: a failure names its seed and replays.
export { prng } from '../../../lib/prng.ts';

export function randomBytes(rand: () => number, maxLen: number): Uint8Array {
  const out = new Uint8Array(Math.floor(rand() * maxLen));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** Flips bytes, truncates, duplicates or splices a valid input. */
export function mutate(rand: () => number, input: Uint8Array): Uint8Array {
  let out = Uint8Array.from(input);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const op = Math.floor(rand() * 4);
    const at = Math.floor(rand() * Math.max(1, out.length));
    if (op === 0 && out.length) out[at] = Math.floor(rand() * 256);
    else if (op === 1) out = out.subarray(0, at);
    else if (op === 2) out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at, at + 8), ...out.subarray(at)]);
    else if (out.length) out[at] = [0x00, 0xc0, 0x3f, 0xff, 0x0d, 0x0a, 0x3a, 0x20][Math.floor(rand() * 8)] ?? 0;
  }
  return out;
}
