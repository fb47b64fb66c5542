// Running the system tools the lab drives (ip, nft, sysctl through ip netns exec). Every failure
// names the command and carries its stderr.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** System tools by absolute path: npm puts look-alikes (an `nft` package) first on PATH. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const resolved = new Map<string, string>();
export function systemBin(name: string): string {
  if (name.includes('/')) return name;
  let p = resolved.get(name);
  if (!p) {
    p = SYSTEM_PATH.split(':').map((d) => `${d}/${name}`).find((f) => existsSync(f)) ?? name;
    resolved.set(name, p);
  }
  return p;
}

export class CommandError extends Error {
  constructor(
    readonly cmd: string,
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`${cmd}: ${stderr.trim() || `exit ${code}`}`);
  }
}

export function sh(file: string, args: string[], opts: { input?: string; allowFail?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(systemBin(file), args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && !opts.allowFail) reject(new CommandError(`${file} ${args.join(' ')}`, String(stderr), (err as { code?: number }).code ?? null));
      else resolve(String(stdout));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export const ip = (...args: string[]) => sh('ip', args);
export const ipIn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args]);
export const inNs = (ns: string, file: string, ...args: string[]) => sh('ip', ['netns', 'exec', ns, systemBin(file), ...args]);

/** Runs a batch of `ip` commands in one process (ip -batch), much faster than one exec each. */
export function ipBatch(lines: string[], ns?: string): Promise<string> {
  if (lines.length === 0) return Promise.resolve('');
  return sh('ip', [...(ns ? ['-n', ns] : []), '-batch', '-'], { input: lines.join('\n') + '\n' });
}

export function nft(script: string, ns?: string): Promise<string> {
  return ns ? sh('ip', ['netns', 'exec', ns, systemBin('nft'), '-f', '-'], { input: script }) : sh('nft', ['-f', '-'], { input: script });
}

export function sysctl(ns: string, settings: Record<string, string | number>): Promise<string> {
  return sh('ip', ['netns', 'exec', ns, systemBin('sysctl'), '-q', '-w', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
}

/** Waits for a child to exit; resolves with its code. */
export function waitExit(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const c = spawn(systemBin(file), args, { stdio: 'ignore' });
    c.on('exit', (code) => resolve(code ?? 1));
    c.on('error', () => resolve(127));
  });
}
