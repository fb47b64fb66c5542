// The cluster side of `install`, `uninstall` and `status`: flags to options, progress, output.
import { buildInfo } from '../../lib/build-info.ts';
import { UserError } from '../../lib/errors.ts';
import { loadKubeConfig } from '../../lib/kube.ts';
import { parseDuration } from '../duration.ts';
import { createProgress } from '../../lib/progress.ts';
import { installValues, planInstall } from '../../install/plan.ts';
import { describeChanges, loadStoredValues, withStoredValues } from '../../install/cluster/values-secret.ts';
import { withoutVersionPins } from '../../install/values-stored.ts';
import { NAMES } from '../../api/kube-names.ts';
import { Objects } from '../../lib/kube-apply.ts';
import { planWithClusterTls, runInstall } from '../../install/cluster/install.ts';
import { runUninstall } from '../../install/cluster/uninstall.ts';
import { formatStatus, gatherStatus, type ClusterStatus } from '../../install/cluster/status.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GlobalArgs } from '../options.ts';
import { valuesFailure, valuesOptions, wrapValues, type InstallFlags } from './values-options.ts';

export type { InstallFlags };

/**
 * `install` and `upgrade`: both start from the values the last install stored (unless
 * --reset-values) with -f and --set on top, print what changes, apply, and store the new values.
 * `upgrade` needs an install to upgrade and moves to this plugin's version.
 */
export async function installToCluster(f: InstallFlags, mode: 'install' | 'upgrade' = 'install'): Promise<void> {
  const kc = loadKubeConfig(f);
  const objs = new Objects(kc);
  const options = valuesOptions(f);
  // The namespace comes from the flags and files, not from the stored values it is needed to find.
  const namespace = wrapValues(() => installValues(options), mode).namespace;
  const stored = await loadStoredValues(objs, namespace).catch((err: Error) => {
    throw new UserError(`${mode}: ${err.message}`, { cause: err });
  });
  if (mode === 'upgrade' && !stored) {
    throw new UserError(`upgrade: no install found in namespace ${namespace} (no Secret ${NAMES.installValues}): run kubectl netobs install, or pass -n NAMESPACE`);
  }
  const reused = stored && !f['reset-values'] ? (mode === 'upgrade' ? withoutVersionPins(stored.userValues) : stored.userValues) : undefined;
  const plan = await planWithClusterTls(objs, { ...options, ...(reused ? { reused } : {}) }).catch(valuesFailure(mode));
  const progress = createProgress();
  progress.log(`${mode === 'upgrade' ? 'upgrading' : 'installing'} netobs ${plan.values.version} into ${kc.getCurrentContext()} (namespace ${plan.values.namespace}, image ${plan.values.image.repository}:${plan.values.image.tag || plan.values.version})`);
  if (stored) {
    progress.log(f['reset-values'] ? 'starting from the default values (--reset-values), not those of the last install' : 'starting from the values of the last install (--reset-values for the defaults)');
    for (const line of describeChanges(stored, plan)) progress.log(line);
  }
  const result = await runInstall(kc, withStoredValues(plan, buildInfo().version), { wait: f.wait, timeoutMs: parseDuration(f.timeout, '--timeout'), progress });
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
  // The stored values go too (a later install starts from the defaults again).
  const removed = await runUninstall(kc, withStoredValues(plan, buildInfo().version), {
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
