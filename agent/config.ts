// The agent's and relay's configuration: the netobs-config ConfigMap mounted as files
// (api/config.ts is the contract), or, without --config-dir, the install defaults adjusted
// for a run on a plain host (no TLS, sockets under /var/run/netobs, netns under /var/run/netns).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, renderConfigData, type NetobsConfig } from '../api/config.ts';
import { defaultValues } from '../install/values.ts';
import { UserError } from '../lib/errors.ts';

export function readConfigDir(dir: string): Record<string, string> {
  const data: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new UserError(`config ${dir}: ${(err as Error).message} (pass the directory the netobs-config ConfigMap is mounted at)`);
  }
  for (const name of names) {
    // ConfigMap volumes hold ..data symlinks and timestamped directories next to the keys.
    if (name.startsWith('..')) continue;
    const file = path.join(dir, name);
    if (statSync(file).isFile()) data[name] = readFileSync(file, 'utf8');
  }
  return data;
}

export function loadConfig(dir: string | undefined, version: string): NetobsConfig {
  if (dir) {
    try {
      return parseConfig(readConfigDir(dir));
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  }
  const cfg = parseConfig(renderConfigData(defaultValues(version)));
  return { ...cfg, tlsEnabled: false, relayTlsEnabled: false, netnsDir: '/var/run/netns', cgroupRoot: '/sys/fs/cgroup' };
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One line per message on stderr: `2025-01-01T00:00:00.000Z warn  component: message`. */
export function stderrLogger(level: string): (l: Level, msg: string) => void {
  const min = ORDER[level as Level] ?? ORDER.info;
  return (l, msg) => {
    if (ORDER[l] >= min) process.stderr.write(`${new Date().toISOString()} ${l.padEnd(5)} ${msg}\n`);
  };
}
