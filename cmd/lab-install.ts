// `lab up` installs netobs into the new lab through the same code as `kubectl netobs install`.
import { buildInfo } from '../lib/build-info.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { Objects } from '../lib/kube-apply.ts';
import { planWithClusterTls, runInstall } from '../install/cluster/install.ts';
import { withStoredValues } from '../install/cluster/values-secret.ts';
import { createProgress } from '../lib/progress.ts';

/**
 * The lab kubelet gives each node its own bpffs at the agent's hostPath, so the agent's
 * bpffs-mounting init container has nothing to do there and is left out.
 */
export const LAB_INSTALL_SETS = ['agent.mountBpffs=false'];

export async function installIntoLab(kubeconfig: string, timeoutMs = 180_000): Promise<void> {
  const kc = loadKubeConfig({ kubeconfig });
  const plan = await planWithClusterTls(new Objects(kc), { buildVersion: buildInfo().version, sets: LAB_INSTALL_SETS });
  const progress = createProgress();
  progress.log(`installing netobs ${plan.values.version} into the lab`);
  // Stored like any install's values, so a later `install` or `upgrade` in the lab keeps them.
  await runInstall(kc, withStoredValues(plan, buildInfo().version), { wait: true, timeoutMs, progress });
}
