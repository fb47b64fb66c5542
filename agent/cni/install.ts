// Start-up protection on a node: the agent copies itself into the node's CNI bin dir as the
// `netobs` plugin and chains it last in the node's conflist, so the runtime's CNI ADD puts every
// new pod behind netobs's programs, not ready, before any container runs (agent/cni/plugin.ts).
// Uninstall takes it out of the conflist first, then removes the binary: a conflist naming a
// plugin whose datapath is gone would stop every new pod on the node.
import { copyFile, chmod, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chainNetobs, editActiveConflist, unchainNetobs } from './conflist.ts';
import { CNI_PLUGIN_TYPE } from './protocol.ts';

export type StartupProtection = { enabled: true; conflist: string } | { enabled: false; reason: string };

export interface CniInstallOptions {
  binDir: string;
  confDir: string;
  /** The agent's pin root, which the plugin opens. */
  bpffsRoot: string;
  /** How to start this program: the single executable is copied; from a source checkout (the
   * lab's development runs) a script that starts it is installed instead. */
  self: { file: string; args: string[] };
}

export async function installCniPlugin(o: CniInstallOptions): Promise<StartupProtection> {
  if (!existsSync(o.binDir) || !existsSync(o.confDir)) return { enabled: false, reason: `the node's CNI dirs are not mounted at ${o.binDir} and ${o.confDir}` };
  try {
    const dest = path.join(o.binDir, CNI_PLUGIN_TYPE);
    const tmp = path.join(o.binDir, `.${CNI_PLUGIN_TYPE}.tmp`);
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    if (o.self.args.length === 0) await copyFile(o.self.file, tmp);
    else await writeFile(tmp, `#!/bin/sh\nexec ${[o.self.file, ...o.self.args].map(quote).join(' ')} "$@"\n`);
    await chmod(tmp, 0o755);
    // rename: a runtime executing the old binary keeps it; the next ADD runs the new one.
    await rename(tmp, dest);
    const file = await editActiveConflist(o.confDir, (text, f) => chainNetobs(text, { bpffsRoot: o.bpffsRoot }, f));
    if (!file) return { enabled: false, reason: `no CNI configuration in the node's ${o.confDir} yet (the pod network's CNI is not installed, or keeps its configuration elsewhere)` };
    return { enabled: true, conflist: file };
  } catch (e) {
    return { enabled: false, reason: `install the CNI plugin: ${(e as Error).message}` };
  }
}

export async function uninstallCniPlugin(o: Pick<CniInstallOptions, 'binDir' | 'confDir'>): Promise<string> {
  if (!existsSync(o.confDir)) return 'no CNI conf dir mounted';
  const file = await editActiveConflist(o.confDir, (text, f) => unchainNetobs(text, f));
  await rm(path.join(o.binDir, CNI_PLUGIN_TYPE), { force: true });
  return file ? `removed netobs from ${file}` : 'no CNI configuration';
}

/** The agent's status warning for a node without start-up protection (undefined when it has it). */
export function protectionWarning(p: StartupProtection): string | undefined {
  if (p.enabled) return undefined;
  // Pods are still attached not ready the moment the agent finds their interface, but not
  // before: while the agent is down, new pods start without netobs's programs.
  return `node runs without start-up protection: ${p.reason}; pods created while the agent is down start unenforced until it sees them`;
}
