// Least-privilege RBAC. Each rule names its resources and verbs (no wildcards); the only Secrets
// anyone may read are the relay's TLS Secret and, for users bound to netobs-user, the plugin's
// client certificate, each by name, in the install namespace.
// What each permission is for:
// agent (ClusterRole): watches pods, namespaces, nodes, services, EndpointSlices and both policy
//   kinds to compute identities and policy maps; writes NetobsIdentities (allocation), the Valid
//   condition of netobs policies (status) and its own NetobsNode (health for `status`).
// agent (Role, install namespace): reads its own DaemonSet, the uninstall signal for preStop.
// relay (Role, install namespace): finds agent pods (their node and IP) and reads its TLS Secret
//   (to reload rotated certificates without waiting for the kubelet's volume sync).
// netobs-user (Role, install namespace, bound by the cluster's admin to whoever may read flows):
//   finds the relay (its Deployment and a ready pod), opens a port-forward to it, and reads the
//   client certificate the relay demands. Without it the relay's flows, endpoints and maps are
//   out of reach even from inside the cluster.
import { GROUP } from '../crds/common.ts';
import type { Values } from '../values.ts';
import type { IClusterRole, IClusterRoleBinding, IRole, IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { meta, NAMES, type KubeObject } from './meta.ts';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const READ = ['get', 'list', 'watch'];

export function agentClusterRules(): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['pods', 'namespaces', 'nodes', 'services'], verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
    { apiGroups: [GROUP], resources: ['networkpolicies', 'clusterwidenetworkpolicies'], verbs: READ },
    { apiGroups: [GROUP], resources: ['networkpolicies/status', 'clusterwidenetworkpolicies/status'], verbs: ['patch', 'update'] },
    { apiGroups: [GROUP], resources: ['netobsidentities'], verbs: [...READ, 'create', 'update', 'delete'] },
    { apiGroups: [GROUP], resources: ['netobsnodes'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [GROUP], resources: ['netobsnodes/status'], verbs: ['patch', 'update'] },
  ];
}

export function agentNamespaceRules(): PolicyRule[] {
  return [{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get'], resourceNames: [NAMES.agent] }];
}

export function relayNamespaceRules(): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['pods'], verbs: READ },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [NAMES.relayTlsSecret] },
  ];
}

export function userNamespaceRules(v: Values): PolicyRule[] {
  return [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: [NAMES.relay] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
    ...(v.tls.enabled && v.relay.tls.enabled ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [NAMES.clientTlsSecret] }] : []),
  ];
}

function binding(v: Values, kind: 'RoleBinding' | 'ClusterRoleBinding', name: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(v, name, { namespaced: kind === 'RoleBinding' }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: v.namespace }],
  } satisfies IRoleBinding | IClusterRoleBinding;
}

export function renderServiceAccounts(v: Values): KubeObject[] {
  const names = v.relay.enabled ? [NAMES.agent, NAMES.relay] : [NAMES.agent];
  return names.map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(v, name) }) satisfies IServiceAccount);
}

/** ClusterRoles, ClusterRoleBindings, Roles and RoleBindings, in that order. */
export function renderRbac(v: Values): KubeObject[] {
  const role = (kind: 'Role' | 'ClusterRole', name: string, rules: PolicyRule[]): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(v, name, { namespaced: kind === 'Role' }),
    rules,
  }) satisfies IRole | IClusterRole;
  const out: KubeObject[] = [
    role('ClusterRole', NAMES.agent, agentClusterRules()),
    binding(v, 'ClusterRoleBinding', NAMES.agent),
    role('Role', NAMES.agent, agentNamespaceRules()),
  ];
  if (v.relay.enabled) out.push(role('Role', NAMES.relay, relayNamespaceRules()), role('Role', NAMES.userRole, userNamespaceRules(v)));
  out.push(binding(v, 'RoleBinding', NAMES.agent));
  if (v.relay.enabled) out.push(binding(v, 'RoleBinding', NAMES.relay));
  return out;
}
