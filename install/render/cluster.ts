// Cluster-level objects: the namespace (with PodSecurity labels that admit the agent) and the CRDs.
import { netobsCrds } from '../crds/definitions.ts';
import type { Values } from '../values.ts';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { meta, type KubeObject } from './meta.ts';

export function renderNamespace(v: Values): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(v, v.namespace, {
      namespaced: false,
      // The agent needs host networking, host paths and capabilities: only "privileged" admits it.
      labels: {
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
    }),
  } satisfies INamespace;
}

export function renderCrds(v: Values): KubeObject[] {
  return netobsCrds().map((crd) => ({
    ...(crd satisfies ICustomResourceDefinition),
    metadata: meta(v, crd.metadata.name, { namespaced: false }),
  }));
}
