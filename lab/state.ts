// Where a lab keeps its files (/var/run/netobs/lab/<name>/) and what it records about itself, so
// `lab status`, `lab kubeconfig` and `lab down` work from any process.
import { readFile, readdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { MAX_SLOTS } from './node/plan.ts';

export const LAB_ROOT = process.env['NETOBS_LAB_ROOT'] ?? '/var/run/netobs/lab';

export interface LabState {
  name: string;
  slot: number;
  nodes: number;
  pid: number;
  status: 'starting' | 'ready' | 'failed' | 'stopping';
  error?: string;
  apiserver?: string;
  kubeconfig: string;
  createdAt: string;
  demo: boolean;
  /** Set when the lab created /var/run/secrets for service account mounts (removed on down). */
  createdSecretsDir?: boolean;
}

export const labDir = (name: string) => path.join(LAB_ROOT, name);
export const statePath = (name: string) => path.join(labDir(name), 'state.json');
export const kubeconfigPath = (name: string) => path.join(labDir(name), 'kubeconfig');
export const serveLogPath = (name: string) => path.join(labDir(name), 'serve.log');

export async function readState(name: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(name), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export async function writeState(s: LabState): Promise<void> {
  const tmp = `${statePath(s.name)}.tmp`;
  await writeFile(tmp, JSON.stringify(s, null, 2));
  await rename(tmp, statePath(s.name));
}

export async function listLabs(): Promise<LabState[]> {
  let names: string[] = [];
  try {
    names = await readdir(LAB_ROOT);
  } catch {
    return [];
  }
  const out: LabState[] = [];
  for (const n of names) {
    const s = await readState(n);
    if (s) out.push(s);
  }
  return out;
}

export function alive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lowest slot no other lab on this host uses (slots give each lab its own address ranges). */
export async function freeSlot(except: string): Promise<number> {
  const used = new Set((await listLabs()).filter((l) => l.name !== except).map((l) => l.slot));
  for (let i = 0; i < MAX_SLOTS; i++) if (!used.has(i)) return i;
  throw new Error(`every one of the ${MAX_SLOTS} lab slots on this host is in use`);
}

/** Where the lab keeps the `kubectl-netobs` its netobs containers find on PATH (outside /var/run/netobs, which the agent mounts over). */
export const netobsBinPath = (lab: string): string => `/run/netobs-lab-bin/${lab}`;
