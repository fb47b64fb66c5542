// `kubectl netobs install` against a cluster: CRDs first and Established, then every other object
// by server-side apply in render order; then, with --wait, agents and relay ready or a diagnosis.
import type { KubeConfig, V1CustomResourceDefinition, V1Secret } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../lib/errors.ts';
import type { Progress } from '../../lib/progress.ts';
import { installValues, planInstall, type InstallOptions, type InstallPlan } from '../plan.ts';
import { NAMES } from '../render/meta.ts';
import { TLS_SECRETS } from '../render/config.ts';
import { tlsMaterialFromSecrets, tlsMaterialProblems } from '../tls-material.ts';
import { Objects, describeRef, type ApplyAction } from '../../lib/kube-apply.ts';
import { diagnose, formatRollout, rolloutState, silentPending } from './wait.ts';

export interface InstallRun {
  wait: boolean;
  timeoutMs: number;
  progress: Progress;
}

export interface InstallResult {
  namespace: string;
  actions: { ref: string; action: ApplyAction }[];
  ready: boolean;
}

/** Plans with the TLS material already in the cluster when it is still good, so re-installing changes nothing. */
export async function planWithClusterTls(objs: Objects, o: InstallOptions): Promise<InstallPlan> {
  const values = installValues(o);
  if (!values.tls.enabled) return planInstall(o, values);
  const ns = values.namespace;
  const secrets = (
    await Promise.all(Object.values(TLS_SECRETS).map((name) => objs.get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns } })))
  ).filter((s): s is V1Secret => s !== undefined);
  const existing = tlsMaterialFromSecrets(secrets as never, TLS_SECRETS);
  const reuse = existing && tlsMaterialProblems(existing, { clusterName: values.clusterName }).length === 0;
  return planInstall({ ...o, tls: reuse ? existing : undefined }, values);
}

async function waitEstablished(objs: Objects, names: string[], deadline: number): Promise<void> {
  for (;;) {
    const pending: string[] = [];
    for (const name of names) {
      const crd = await objs.get<V1CustomResourceDefinition>({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } });
      if (!crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) pending.push(name);
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new UserError(`install: CRDs not established in time: ${pending.join(', ')} (check the API server's logs)`);
    await sleep(300);
  }
}

/** How long a pod may stay Pending with no event before install --wait names it. */
const SILENT_PENDING_MS = 8000;

export async function runInstall(kc: KubeConfig, plan: InstallPlan, run: InstallRun): Promise<InstallResult> {
  const objs = new Objects(kc);
  const deadline = Date.now() + run.timeoutMs;
  const ns = plan.values.namespace;
  const actions: InstallResult['actions'] = [];
  const crds = plan.objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const total = plan.objects.length;
  let i = 0;
  for (const o of plan.objects) {
    i++;
    const ref = describeRef(o);
    run.progress.update(`[${i}/${total}] applying ${ref}`);
    const action = await objs.apply(o);
    actions.push({ ref, action });
    run.progress.log(`${action === 'unchanged' ? '=' : '✔'} ${ref} ${action}`);
    // Custom resources and everything after may depend on the CRDs: they must be served first.
    if (o === crds[crds.length - 1]) {
      run.progress.update('waiting for CRDs to be established');
      await waitEstablished(objs, crds.map((c) => c.metadata.name), deadline);
    }
  }
  const changed = actions.filter((a) => a.action !== 'unchanged').length;
  run.progress.log(`applied ${total} objects: ${changed === 0 ? 'nothing changed' : `${actions.filter((a) => a.action === 'created').length} created, ${actions.filter((a) => a.action === 'configured').length} configured`}`);
  if (!run.wait) {
    run.progress.done();
    return { namespace: ns, actions, ready: false };
  }
  // A pod Pending without any event is a kubelet that says nothing: named once, with where to look.
  const named = new Set<string>();
  let silent: string[] = [];
  for (;;) {
    const state = await rolloutState(objs, ns, plan.values.relay.enabled);
    run.progress.update(formatRollout(state));
    if (!state.done) {
      const quiet = await silentPending(objs, ns, SILENT_PENDING_MS).catch(() => []);
      silent = quiet.map((q) => q.message);
      for (const q of quiet.filter((x) => !named.has(x.pod))) {
        named.add(q.pod);
        run.progress.log(`! ${q.message}`);
      }
    }
    if (state.done) {
      run.progress.done();
      run.progress.log(`✔ ${formatRollout(state)}`);
      return { namespace: ns, actions, ready: true };
    }
    if (Date.now() > deadline) {
      run.progress.done();
      const why = [...silent, ...(await diagnose(kc, objs, ns))];
      throw new UserError(`install: not ready within the timeout: ${formatRollout(state)}${why.length ? `; ${why[0]}` : ''} (see --verbose, or raise --timeout)`, {
        details: why.join('\n'),
      });
    }
    await sleep(500);
  }
}
