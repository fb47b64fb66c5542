// The lab's public API, for the `lab` commands and for other parts' end-to-end tests:
//   const lab = await labUp({ name: 'e2e-x', nodes: 2 });  … lab.kubeconfig …  await labDown('e2e-x');
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, open, rm } from 'node:fs/promises';
import { UserError } from '../lib/errors.ts';
import { selfCommand } from '../lib/self-exec.ts';
import { findLeftovers, teardownLab, type Leftovers } from './node/teardown.ts';
import { LAB_NAME, labPlan, type LabPlan } from './node/plan.ts';
import { alive, freeSlot, kubeconfigPath, labDir, listLabs, netobsBinPath, readState, serveLogPath, type LabState } from './state.ts';

export { labPlan, type LabPlan } from './node/plan.ts';
export type { LabState } from './state.ts';

export interface LabUpOptions {
  name?: string;
  nodes?: number;
  demo?: boolean;
  /** Keep the API objects in this file across restarts of the lab. */
  persist?: string;
  /** How long to wait for the lab to be ready (ms). */
  timeoutMs?: number;
  /** Runs once the lab is ready, e.g. to install netobs into it with the kubeconfig. */
  install?: (lab: LabInfo) => Promise<void>;
}

export interface LabInfo {
  name: string;
  kubeconfig: string;
  apiserver: string;
  plan: LabPlan;
  state: LabState;
}

export const DEFAULT_LAB = 'netobs';

function checkName(name: string): void {
  if (!LAB_NAME.test(name)) throw new UserError(`lab up: invalid name "${name}" (use 1-12 lowercase letters, digits or '-')`);
}

function requireRoot(cmd: string): void {
  if (process.getuid?.() !== 0) throw new UserError(`lab ${cmd}: the lab creates network namespaces and needs root (run it with sudo)`);
}

export async function labInfo(name = DEFAULT_LAB): Promise<LabInfo | undefined> {
  const state = await readState(name);
  if (!state) return undefined;
  return { name, kubeconfig: state.kubeconfig, apiserver: state.apiserver ?? '', plan: labPlan(name, state.slot, state.nodes), state };
}

/** Starts a lab in the background and resolves once its nodes are Ready. */
export async function labUp(o: LabUpOptions = {}): Promise<LabInfo> {
  const name = o.name ?? DEFAULT_LAB;
  const nodes = o.nodes ?? 2;
  checkName(name);
  requireRoot('up');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) throw new UserError(`lab up: invalid --nodes ${nodes} (use 1 to 16)`);
  const existing = await readState(name);
  if (existing && alive(existing.pid)) {
    throw new UserError(`lab up: lab "${name}" is already running (kubeconfig ${existing.kubeconfig}; stop it with 'kubectl netobs lab down --name ${name}')`);
  }
  if (existing) await labDown(name);
  const slot = await freeSlot(name);
  await mkdir(labDir(name), { recursive: true, mode: 0o700 });
  const log = await open(serveLogPath(name), 'a');
  const cmd = selfCommand(['lab', 'serve', '--name', name, '--nodes', String(nodes), '--slot', String(slot), ...(o.demo ? ['--demo'] : []), ...(o.persist ? ['--persist', o.persist] : [])]);
  const child = spawn(cmd.file, cmd.args, { detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env } });
  child.unref();
  await log.close();
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    const s = await readState(name);
    if (s?.status === 'ready' && s.pid === child.pid) break;
    if (s?.status === 'failed' || !alive(child.pid ?? 0)) {
      await labDown(name).catch(() => {});
      throw new UserError(`lab up: lab "${name}" failed to start: ${s?.error ?? 'the lab process exited'} (see ${serveLogPath(name)})`);
    }
    if (Date.now() > deadline) {
      await labDown(name).catch(() => {});
      throw new UserError(`lab up: lab "${name}" was not ready after ${Math.round((o.timeoutMs ?? 120_000) / 1000)}s (see ${serveLogPath(name)})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const info = (await labInfo(name))!;
  if (o.install) await o.install(info);
  return info;
}

/** Stops a lab and removes everything it made; returns what was still there afterwards (nothing, normally). */
export async function labDown(name = DEFAULT_LAB): Promise<Leftovers> {
  checkName(name);
  requireRoot('down');
  const state = await readState(name);
  if (state && alive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    // The serve process bounds its own shutdown (lab/node/kubelet.ts stop); past this, what it
    // left is removed below all the same.
    const deadline = Date.now() + 15_000;
    while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  // Whatever the serve process did or did not clean, the plan says what to remove.
  const plan = labPlan(name, state?.slot ?? 0, state?.nodes ?? 0);
  await teardownLab(plan, labDir(name));
  if (state?.createdSecretsDir) await rm('/var/run/secrets', { recursive: true, force: true }).catch(() => {});
  await rm(labDir(name), { recursive: true, force: true });
  // The CLI bind-mounted there for the containers (lab/serve.ts stableSelf) goes first.
  for (const m of ['kubectl-netobs.bin', 'checkout']) spawnSync('umount', ['-l', `${netobsBinPath(name)}/${m}`], { stdio: 'ignore' });
  await rm(netobsBinPath(name), { recursive: true, force: true });
  return findLeftovers(plan);
}

export interface LabStatus {
  name: string;
  status: string;
  nodes: number;
  apiserver: string;
  kubeconfig: string;
  pid: number;
  running: boolean;
}

export async function labStatus(): Promise<LabStatus[]> {
  return (await listLabs()).map((s) => ({ name: s.name, status: alive(s.pid) ? s.status : 'dead', nodes: s.nodes, apiserver: s.apiserver ?? '', kubeconfig: s.kubeconfig, pid: s.pid, running: alive(s.pid) }));
}

export { kubeconfigPath, findLeftovers, type Leftovers };
