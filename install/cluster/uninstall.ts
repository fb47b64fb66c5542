// `kubectl netobs uninstall`: deletes what install rendered (and what the agents created for it),
// agents first so they detach their programs, then the rest; never a user's other objects.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Progress } from '../../lib/progress.ts';
import { UserError } from '../../lib/errors.ts';
import type { InstallPlan } from '../plan.ts';
import { INSTALL_SELECTOR } from '../render/meta.ts';
import { namespaceIsDisposable, planUninstall, type ObjectRef } from '../uninstall-plan.ts';
import { Objects, describeRef } from '../../lib/kube-apply.ts';

export interface UninstallRun {
  keepCrds: boolean;
  wait: boolean;
  timeoutMs: number;
  progress: Progress;
}

const header = (r: ObjectRef) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } });

async function waitGone(objs: Objects, r: ObjectRef, deadline: number, progress: Progress): Promise<void> {
  while (await objs.get(header(r))) {
    if (Date.now() > deadline) throw new UserError(`uninstall: ${describeRef(header(r))} still exists after the timeout (check its finalizers; raise --timeout)`);
    progress.update(`waiting for ${describeRef(header(r))} to go`);
    await sleep(300);
  }
}

/** Objects the agents create at run time: node status and identities, removed with the install. */
const AGENT_CREATED = [
  { apiVersion: 'netobs.io/v1alpha1', kind: 'NetobsNode' },
  { apiVersion: 'netobs.io/v1alpha1', kind: 'NetobsIdentity' },
];

export async function runUninstall(kc: KubeConfig, plan: InstallPlan, run: UninstallRun): Promise<string[]> {
  const objs = new Objects(kc);
  const deadline = Date.now() + run.timeoutMs;
  const removed: string[] = [];
  const steps = planUninstall(plan.objects, { keepCrds: run.keepCrds });
  for (const step of steps.steps) {
    const h = header(step.ref);
    if (step.ref.kind === 'CustomResourceDefinition' && removed.every((r) => !r.startsWith('NetobsNode'))) {
      // Before the CRDs go (or instead, with --keep-crds), the agents' own objects go.
      for (const k of AGENT_CREATED) for (const o of await objs.list<KubernetesObject>(k.apiVersion, k.kind)) if (await objs.delete({ ...k, metadata: { name: o.metadata!.name! } })) removed.push(`${k.kind} ${o.metadata!.name}`);
    }
    if (step.annotateFirst && (await objs.get(h))) await objs.patchMerge(h, { metadata: { ...h.metadata, annotations: step.annotateFirst } });
    run.progress.update(`deleting ${describeRef(h)}`);
    if (await objs.delete(h, step.propagationPolicy)) {
      removed.push(describeRef(h));
      run.progress.log(`✔ ${describeRef(h)} deleted`);
    }
    if (step.waitForDeletion && (run.wait || step.propagationPolicy === 'Foreground')) await waitGone(objs, step.ref, deadline, run.progress);
  }
  if (run.keepCrds) {
    for (const k of AGENT_CREATED) for (const o of await objs.list<KubernetesObject>(k.apiVersion, k.kind)) if (await objs.delete({ ...k, metadata: { name: o.metadata!.name! } })) removed.push(`${k.kind} ${o.metadata!.name}`);
  }
  // Anything else carrying install's labels in the namespace (e.g. from an older version's render).
  if (steps.namespace) {
    for (const kind of ['ConfigMap', 'Secret', 'Service', 'ServiceAccount']) {
      for (const o of await objs.list<KubernetesObject>('v1', kind, steps.namespace, INSTALL_SELECTOR)) {
        if (await objs.delete({ apiVersion: 'v1', kind, metadata: { name: o.metadata!.name!, namespace: steps.namespace } })) removed.push(`${kind} ${steps.namespace}/${o.metadata!.name}`);
      }
    }
    const remaining: { kind: string; metadata: { name: string } }[] = [];
    for (const kind of ['ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod']) {
      for (const o of await objs.list<KubernetesObject>('v1', kind, steps.namespace)) remaining.push({ kind, metadata: { name: o.metadata!.name! } });
    }
    for (const [v, kind] of [['apps/v1', 'Deployment'], ['apps/v1', 'DaemonSet']] as const) {
      for (const o of await objs.list<KubernetesObject>(v, kind, steps.namespace)) remaining.push({ kind, metadata: { name: o.metadata!.name! } });
    }
    const nsRef = { apiVersion: 'v1', kind: 'Namespace', name: steps.namespace };
    if (namespaceIsDisposable(remaining)) {
      if (await objs.delete(header(nsRef))) {
        removed.push(`Namespace ${steps.namespace}`);
        run.progress.log(`✔ Namespace ${steps.namespace} deleted`);
      }
      if (run.wait) await waitGone(objs, nsRef, deadline, run.progress);
    } else {
      run.progress.log(`= Namespace ${steps.namespace} kept: it holds objects netobs did not create`);
    }
  }
  run.progress.done();
  return removed;
}
