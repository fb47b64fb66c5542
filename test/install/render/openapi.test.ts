// Every rendered object validated against the Kubernetes OpenAPI schemas (the kubernetes-models
// validators, generated from the API's OpenAPI spec; they run offline). Those validators do not
// reject unknown fields: the render code is typed with the same models (`satisfies IDaemonSet`),
// so a misspelt field fails `tsc` instead.
import test from 'ava';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { KubeObject } from '../../../install/render/index.ts';
import { render } from './fixtures.ts';

type Validatable = { validate(): void };
const MODELS: Record<string, new (data: never) => Validatable> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

function validate(o: KubeObject): string | undefined {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) return `no OpenAPI model for ${o.apiVersion}/${o.kind}`;
  try {
    new Model(structuredClone(o) as never).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const everything = render({ sets: ['serviceMonitor.enabled=true', 'agent.priorityClassName=system-node-critical', 'imagePullSecrets={regcred}'] });

for (const o of everything.filter((x) => x.kind !== 'ServiceMonitor')) {
  test(`${o.kind}/${o.metadata.name} is valid against the Kubernetes OpenAPI schema`, (t) => {
    t.is(validate(o), undefined);
  });
}

test('the validators do catch mistakes (so the tests above can fail)', (t) => {
  const ds = structuredClone(everything.find((o) => o.kind === 'DaemonSet')!);
  (ds.spec as { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } }).template.spec.containers[0]!.ports[0]!.containerPort = 'http';
  t.regex(validate(ds) ?? '', /containerPort must be integer/);
  const svc = structuredClone(everything.find((o) => o.kind === 'Service')!);
  (svc.spec as { ports: unknown }).ports = 'grpc';
  t.regex(validate(svc) ?? '', /ports must be array/);
});

test('the ServiceMonitor has the monitoring.coreos.com/v1 shape', (t) => {
  const sm = everything.find((o) => o.kind === 'ServiceMonitor')!;
  t.is(sm.apiVersion, 'monitoring.coreos.com/v1');
  const spec = sm.spec as { endpoints: { port: string; interval: string }[]; selector: { matchExpressions: unknown[] }; namespaceSelector: { matchNames: string[] } };
  t.deepEqual(spec.endpoints.map((e) => e.port), ['agent-metrics', 'flow-metrics']);
  t.deepEqual(spec.namespaceSelector.matchNames, ['netobs-system']);
  // Each endpoint port must be a port name of a Service the selector matches.
  const services = everything.filter((o) => o.kind === 'Service' && o.metadata.name.endsWith('-metrics'));
  const portNames = services.flatMap((s) => (s.spec as { ports: { name: string }[] }).ports.map((p) => p.name));
  for (const e of spec.endpoints) t.true(portNames.includes(e.port), e.port);
});
