// The probe as a command line for exec in a pod, and its JSON answer read back. Both sides (the
// runner and the probe role) agree on this one definition of flags and output.
import type { ExecResult } from './cluster.ts';
import { PROBE_KINDS, type ProbeResult, type ProbeSpec } from './types.ts';

export function probeCommand(binary: string, spec: ProbeSpec): string[] {
  const argv = [binary, 'probe', spec.kind, '--target', spec.target, '--timeout', `${spec.timeoutMs}ms`, '-o', 'json'];
  if (spec.method) argv.push('--method', spec.method);
  if (spec.path) argv.push('--path', spec.path);
  if (spec.body) argv.push('--body');
  if (spec.server) argv.push('--server', spec.server);
  if (spec.qtype) argv.push('--qtype', spec.qtype);
  return argv;
}

/** The probe exits 0 when it succeeded and 1 when it failed; both print a result. */
export function parseProbeOutput(out: ExecResult): { result: ProbeResult } | { invalid: string } {
  const line = out.stdout.trim().split('\n').filter(Boolean).at(-1);
  if (line === undefined) return { invalid: `probe printed no result (exit code ${out.exitCode})` };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { invalid: `probe printed something other than JSON (exit code ${out.exitCode}): ${line.slice(0, 200)}` };
  }
  if (!isProbeResult(v)) return { invalid: `probe result has an unexpected shape: ${line.slice(0, 200)}` };
  return { result: v };
}

function isProbeResult(v: unknown): v is ProbeResult {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.ok === 'boolean' && typeof o.target === 'string' && PROBE_KINDS.includes(o.kind as ProbeResult['kind']) && typeof o.durationMs === 'number';
}
