// Removes everything a lab may have left on the host, whether its serve process stopped cleanly
// or died: processes in its netns, the netns themselves, the host link and nft table,
// /etc/netns entries and BPF pins. Idempotent, and driven by the lab's plan (names and prefixes).
import { readdir, readFile, realpath, rm } from 'node:fs/promises';
import type { LabPlan } from './plan.ts';
import { labEtcNetns, labNetnsNames } from './network.ts';
import { deleteTableScript } from './service-rules.ts';
import { nft, sh } from './sh.ts';
import { unguardLab } from './guard.ts';

export interface Leftovers {
  netns: string[];
  links: string[];
  nftTables: string[];
  etcNetns: string[];
  pins: string[];
  processes: number[];
}

export const BPF_PIN_ROOT = '/sys/fs/bpf';

async function pidsIn(netns: string): Promise<number[]> {
  const out = await sh('ip', ['netns', 'pids', netns], { allowFail: true });
  return out.split('\n').map(Number).filter((n) => n > 0);
}

async function pins(plan: LabPlan): Promise<string[]> {
  try {
    return (await readdir(BPF_PIN_ROOT)).filter((n) => n.startsWith(`netobs-lab-${plan.name}`)).map((n) => `${BPF_PIN_ROOT}/${n}`);
  } catch {
    return [];
  }
}

export async function findLeftovers(plan: LabPlan): Promise<Leftovers> {
  const netns = await labNetnsNames(plan);
  const processes = (await Promise.all(netns.map(pidsIn))).flat();
  const link = await sh('ip', ['-o', 'link', 'show', 'dev', plan.hostLink], { allowFail: true });
  const tables = await sh('nft', ['list', 'tables', 'ip'], { allowFail: true });
  return {
    netns,
    links: link.trim() ? [plan.hostLink] : [],
    nftTables: tables.split('\n').some((l) => l.trim() === `table ip ${plan.nftTable}`) ? [plan.nftTable] : [],
    etcNetns: await labEtcNetns(plan),
    pins: await pins(plan),
    processes,
  };
}

/** Mount points (pod netns bind mounts) under a lab's state directory. */
async function mountsUnder(dir: string): Promise<string[]> {
  try {
    // /var/run is usually a symlink to /run, and mountinfo shows resolved paths.
    const real = await realpath(dir).catch(() => dir);
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    return info
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(dir + '/') || m.startsWith(real + '/'))
      .sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

export async function teardownLab(plan: LabPlan, stateDir?: string): Promise<void> {
  if (stateDir) for (const m of await mountsUnder(stateDir)) await sh('umount', ['-l', m], { allowFail: true });
  const netns = await labNetnsNames(plan);
  // Processes first: a netns with processes in it lingers after `ip netns delete`.
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = (await Promise.all(netns.map(pidsIn))).flat();
    if (pids.length === 0) break;
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // gone
      }
    }
    await new Promise((r) => setTimeout(r, sig === 'SIGTERM' ? 1500 : 300));
  }
  for (const n of netns) await sh('ip', ['netns', 'delete', n], { allowFail: true });
  await sh('ip', ['link', 'del', plan.hostLink], { allowFail: true });
  await nft(deleteTableScript(plan.nftTable)).catch(() => {});
  await unguardLab(plan);
  for (const e of await labEtcNetns(plan)) await rm(`/etc/netns/${e}`, { recursive: true, force: true });
  for (const p of await pins(plan)) await rm(p, { recursive: true, force: true });
}
