// values -> the list of Kubernetes objects, in apply order (Helm's install order: namespace, CRDs,
// service accounts, secrets, config maps, RBAC, services, workloads, then custom resources of
// other operators). Uninstall deletes in reverse. Pure: the same input renders the same output.
import { DASHBOARDS, renderDashboardJson } from '../dashboards/definitions.ts';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { TlsMaterial } from '../tls-material.ts';
import type { Values } from '../values.ts';
import { renderAgent } from './agent.ts';
import { renderCrds, renderNamespace } from './cluster.ts';
import { renderConfigMap, renderTlsSecrets } from './config.ts';
import { meta, type KubeObject } from './meta.ts';
import { renderRbac, renderServiceAccounts } from './rbac.ts';
import { renderMetricsServices, renderRelay, renderServiceMonitor } from './relay.ts';

export type { KubeObject } from './meta.ts';

export interface RenderInput {
  values: Values;
  /** Required when values.tls.enabled: generateTlsMaterial() or the material already in the cluster. */
  tls?: TlsMaterial;
}

export function renderDashboards(v: Values): KubeObject[] {
  return DASHBOARDS.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...meta(v, d.name, { labels: { [v.dashboards.label]: v.dashboards.labelValue } }),
      namespace: v.dashboards.namespace || v.namespace,
    },
    data: { [d.file]: renderDashboardJson(d.spec) },
  }) satisfies IConfigMap);
}

export function renderManifests({ values: v, tls }: RenderInput): KubeObject[] {
  if (v.tls.enabled && !tls) throw new Error('render: tls.enabled needs TLS material (generateTlsMaterial or the cluster\'s Secrets)');
  const relay = v.relay.enabled ? renderRelay(v) : [];
  return [
    renderNamespace(v),
    ...(v.crds.install ? renderCrds(v) : []),
    ...renderServiceAccounts(v),
    ...(v.tls.enabled && tls ? renderTlsSecrets(v, tls) : []),
    renderConfigMap(v),
    ...(v.dashboards.enabled ? renderDashboards(v) : []),
    ...renderRbac(v),
    // The relay's NetworkPolicy before its pods, so that no relay pod runs unguarded.
    ...relay.filter((o) => o.kind === 'NetworkPolicy'),
    ...relay.filter((o) => o.kind === 'Service'),
    ...renderMetricsServices(v),
    renderAgent(v),
    ...relay.filter((o) => o.kind === 'Deployment'),
    ...(v.serviceMonitor.enabled ? [renderServiceMonitor(v)] : []),
  ];
}

/** Identifies an object for apply, delete and reports: `kind/namespace/name` (no namespace when cluster-scoped). */
export function objectKey(o: KubeObject): string {
  return [o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join('/');
}
