// The cluster side of `install`, `uninstall` and `status`: flags to options, progress, output.
import { buildInfo } from '../../lib/build-info.ts';
import { UserError } from '../../lib/errors.ts';
import { loadKubeConfig } from '../../lib/kube.ts';
import { parseDuration } from '../duration.ts';
import { createProgress } from '../../lib/progress.ts';
import { planInstall } from '../../install/plan.ts';
import { Objects } from '../../lib/kube-apply.ts';
import { planWithClusterTls, runInstall } from '../../install/cluster/install.ts';
import { runUninstall } from '../../install/cluster/uninstall.ts';
import { formatStatus, gatherStatus, type ClusterStatus } from '../../install/cluster/status.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalArgs } from '../options.ts';
import { valuesFailure, valuesOptions, wrapValues, type InstallFlags } from './values-options.ts';

export type { InstallFlags };

export async function installToCluster(f: InstallFlags): Promise<void> {
  const kc = loadKubeConfig(f);
  const objs = new Objects(kc);
  const plan = await planWithClusterTls(objs, valuesOptions(f)).catch(valuesFailure('install'));
  const progress = createProgress();
  progress.log(`installing netobs ${plan.values.version} into ${kc.getCurrentContext()} (namespace ${plan.values.namespace}, image ${plan.values.image.repository}:${plan.values.image.tag ?? plan.values.version})`);
  const result = await runInstall(kc, plan, { wait: f.wait, timeoutMs: parseDuration(f.timeout, '--timeout'), progress });
  if (f.output === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

export interface UninstallFlags extends GlobalArgs {
  'keep-crds': boolean;
  wait: boolean;
  timeout: string;
}

export async function uninstallFromCluster(f: UninstallFlags): Promise<void> {
  const kc = loadKubeConfig(f);
  // The rendered list (with default values) names what install created, TLS secrets included.
  const plan = wrapValues(() => planInstall({ buildVersion: buildInfo().version, ...(f.namespace ? { namespace: f.namespace } : {}) }), 'uninstall');
  const progress = createProgress();
  progress.log(`uninstalling netobs from ${kc.getCurrentContext()} (namespace ${plan.values.namespace})`);
  const removed = await runUninstall(kc, plan, {
    keepCrds: f['keep-crds'],
    wait: f.wait,
    timeoutMs: parseDuration(f.timeout, '--timeout'),
    progress,
  });
  if (f.output === 'json') process.stdout.write(JSON.stringify({ removed }, null, 2) + '\n');
  else process.stderr.write(`removed ${removed.length} objects\n`);
}

export interface StatusFlags extends GlobalArgs {
  wait: boolean;
  timeout: string;
}

export async function showStatus(f: StatusFlags): Promise<void> {
  const kc = loadKubeConfig(f);
  const objs = new Objects(kc);
  const ns = f.namespace ?? 'netobs-system';
  const deadline = Date.now() + parseDuration(f.timeout, '--timeout');
  const progress = createProgress();
  let st: ClusterStatus;
  for (;;) {
    st = await gatherStatus(objs, ns);
    if (st.healthy || !f.wait || Date.now() > deadline) break;
    progress.update(`waiting for netobs to be healthy: ${st.problems[0] ?? ''}`);
    await sleep(1000);
  }
  progress.done();
  if (f.output === 'json') process.stdout.write(JSON.stringify(st, null, 2) + '\n');
  else if (f.output === 'yaml') process.stdout.write((await import('yaml')).stringify(st));
  else process.stdout.write(formatStatus(st, f.output === 'wide'));
  if (!st.healthy) throw new UserError(`status: netobs is ${st.installed ? 'unhealthy' : 'not installed'}${f.wait ? ' after waiting' : ''}: ${st.problems[0] ?? ''}`, { exitCode: 1 });
}
