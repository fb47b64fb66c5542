// Namespace lifecycle: every namespace gets its `default` ServiceAccount and the
// kube-root-ca.crt ConfigMap; a terminating namespace is emptied, then finalized.
import type { Api } from '../apiserver/api.ts';
import { spec, tolerate } from './util.ts';

export function reconcileNamespaces(api: Api, caCert: string): void {
  const all = api.allObjects();
  for (const ns of api.list(api.rt('', 'namespaces'), undefined).items) {
    const name = ns.metadata.name ?? '';
    if (ns.metadata.deletionTimestamp) {
      const content = all.filter((e) => e.rt.namespaced && e.obj.metadata.namespace === name);
      for (const e of content) if (!e.obj.metadata.deletionTimestamp) tolerate(() => api.delete(e.rt, name, e.obj.metadata.name ?? ''));
      if (content.length === 0 && ((spec(ns)['finalizers'] ?? []) as string[]).length > 0) tolerate(() => api.finalizeNamespace(name, []));
      continue;
    }
    if (!api.tryGet(api.rt('', 'serviceaccounts'), name, 'default')) {
      tolerate(() => api.create(api.rt('', 'serviceaccounts'), name, { metadata: { name: 'default', namespace: name } }, { manager: 'kube-controller-manager' }));
    }
    if (caCert && !api.tryGet(api.rt('', 'configmaps'), name, 'kube-root-ca.crt')) {
      tolerate(() => api.create(api.rt('', 'configmaps'), name, { metadata: { name: 'kube-root-ca.crt', namespace: name, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': caCert } }, { manager: 'kube-controller-manager' }));
    }
  }
}
