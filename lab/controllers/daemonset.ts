// DaemonSets: one pod per eligible node (node selector, affinity and taints honoured), replaced
// one node at a time when the template changes.
import type { Api } from '../apiserver/api.ts';
import type { KObject } from '../apiserver/types.ts';
import { DAEMONSET_TOLERATIONS, nodeMatches, untoleratedTaint } from './placement.ts';
import { podFromTemplate } from './replicaset.ts';
import { controlledBy, isPodDone, isPodReady, isTerminating, recordEvent, setStatus, shortHash, spec, tolerate, type Any } from './util.ts';

export function reconcileDaemonSets(api: Api): void {
  const dsRt = api.rt('apps', 'daemonsets');
  const podsRt = api.rt('', 'pods');
  const nodes = api.list(api.rt('', 'nodes'), undefined).items;
  const allPods = api.list(podsRt, undefined).items;
  for (const ds of api.list(dsRt, undefined).items) {
    if (isTerminating(ds)) continue;
    const tpl = spec(ds)['template'] as Any;
    const hash = shortHash(tpl);
    const tolerations = [...DAEMONSET_TOLERATIONS, ...(tpl?.spec?.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : [])];
    const probe = { metadata: tpl?.metadata ?? {}, spec: { ...(tpl?.spec ?? {}), tolerations: [...(tpl?.spec?.tolerations ?? []), ...tolerations] } };
    const eligible = nodes.filter((n) => nodeMatches(probe, n) && !untoleratedTaint(probe, n));
    const pods = allPods.filter((p) => p.metadata.namespace === ds.metadata.namespace && controlledBy(p, ds));
    let updating = pods.some((p) => isTerminating(p)) ? 1 : 0;
    let current = 0;
    let ready = 0;
    let updated = 0;
    let misscheduled = 0;
    for (const n of nodes) {
      const name = n.metadata.name ?? '';
      const mine = pods.filter((p) => spec(p)['nodeName'] === name && !isPodDone(p));
      const wanted = eligible.includes(n);
      if (!wanted) {
        misscheduled += mine.length;
        for (const p of mine) if (!isTerminating(p)) tolerate(() => api.delete(podsRt, p.metadata.namespace, p.metadata.name ?? ''));
        continue;
      }
      const live = mine.filter((p) => !isTerminating(p));
      if (live.length === 0 && mine.length === 0) {
        tolerate(() => {
          const p = api.create(podsRt, ds.metadata.namespace, podFromTemplate(ds, tpl, { nodeName: name, labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) }, tolerations }), { manager: 'kube-controller-manager' });
          recordEvent(api, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata.name}`, 'daemonset-controller');
        });
        continue;
      }
      current += live.length > 0 ? 1 : 0;
      for (const p of live.slice(1)) tolerate(() => api.delete(podsRt, p.metadata.namespace, p.metadata.name ?? ''));
      const p = live[0];
      if (!p) continue;
      if (isPodReady(p)) ready++;
      if (p.metadata.labels?.['controller-revision-hash'] === hash) updated++;
      else if (updating === 0 && (spec(ds)['updateStrategy']?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        updating++;
        tolerate(() => api.delete(podsRt, p.metadata.namespace, p.metadata.name ?? ''));
        recordEvent(api, ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, 'daemonset-controller');
      }
    }
    setStatus(api, 'apps', 'daemonsets', ds, {
      currentNumberScheduled: current,
      desiredNumberScheduled: eligible.length,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      numberAvailable: ready,
      ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
      updatedNumberScheduled: updated,
      observedGeneration: ds.metadata.generation,
    }, 'daemonset-controller');
  }
}

export function _eligibleNodes(tpl: Any, nodes: KObject[]): KObject[] {
  const probe = { metadata: tpl?.metadata ?? {}, spec: { ...(tpl?.spec ?? {}), tolerations: [...(tpl?.spec?.tolerations ?? []), ...DAEMONSET_TOLERATIONS] } };
  return nodes.filter((n) => nodeMatches(probe, n) && !untoleratedTaint(probe, n));
}
