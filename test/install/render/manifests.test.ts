import test from 'ava';
import { renderManifests, objectKey } from '../../../install/render/index.ts';
import { toYamlDocuments } from '../../../install/manifest-yaml.ts';
import { parseAllDocuments } from 'yaml';
import { resolveValues } from '../../../install/values-load.ts';
import { parseConfig } from '../../../api/config.ts';
import { exporterConfig } from '../../../api/exporter-config.ts';
import { at, find, render, tls } from './fixtures.ts';

const objects = render();
const CLUSTER_SCOPED = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];

test('apply order: namespace, CRDs, accounts, secrets, config, RBAC, network policy, services, workloads', (t) => {
  const kinds = [...new Set(objects.map((o) => o.kind))];
  t.deepEqual(kinds, ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Secret', 'ConfigMap', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'NetworkPolicy', 'Service', 'DaemonSet', 'Deployment']);
  // Each kind is contiguous, so the order above is the whole story.
  const runs = objects.map((o) => o.kind).filter((k, i, a) => k !== a[i - 1]);
  t.is(runs.length, kinds.length);
});

test('every object carries the install labels and the values hash', (t) => {
  const hashes = new Set<string>();
  for (const o of objects) {
    t.like(o.metadata.labels, { 'app.kubernetes.io/part-of': 'netobs', 'app.kubernetes.io/managed-by': 'netobs', 'app.kubernetes.io/version': '0.1.0' }, objectKey(o));
    hashes.add(o.metadata.annotations['netobs.io/values-hash']!);
  }
  t.is(hashes.size, 1);
  t.regex([...hashes][0]!, /^[0-9a-f]{64}$/);
});

test('namespaced objects are in netobs-system; cluster-scoped ones have no namespace', (t) => {
  for (const o of objects) {
    if (CLUSTER_SCOPED.includes(o.kind)) t.is(o.metadata.namespace, undefined, objectKey(o));
    else t.is(o.metadata.namespace, 'netobs-system', objectKey(o));
  }
  t.like(find(objects, 'Namespace', 'netobs-system').metadata.labels, { 'pod-security.kubernetes.io/enforce': 'privileged' });
});

test('object keys are unique', (t) => {
  const keys = objects.map(objectKey);
  t.is(new Set(keys).size, keys.length);
});

test('rendering is deterministic for the same values and material', (t) => {
  const v = resolveValues({ buildVersion: '0.1.0' });
  const a = toYamlDocuments(renderManifests({ values: v, tls: tls() }));
  const b = toYamlDocuments(renderManifests({ values: structuredClone(v), tls: tls() }));
  t.is(a, b);
});

test('the YAML parses back to the same objects', (t) => {
  const docs = parseAllDocuments(toYamlDocuments(objects));
  t.deepEqual(
    docs.map((d) => d.toJS()),
    JSON.parse(JSON.stringify(objects)),
  );
  t.true(docs.every((d) => d.errors.length === 0));
});

test('the values hash follows the values; the config hash only the config', (t) => {
  const a = render();
  const b = render({ sets: ['relay.replicas=2'] });
  const c = render({ sets: ['agent.logLevel=debug'] });
  const hash = (o: typeof a) => find(o, 'DaemonSet', 'netobs-agent').metadata.annotations['netobs.io/values-hash'];
  const podConfig = (o: typeof a) => at(find(o, 'DaemonSet', 'netobs-agent'), 'spec', 'template', 'metadata', 'annotations', 'netobs.io/config-hash');
  t.not(hash(a), hash(b));
  t.is(podConfig(a), podConfig(b), 'relay replicas do not restart agents');
  t.not(podConfig(a), podConfig(c), 'a config change rolls the agents');
});

test('the ConfigMap parses back into the agent config', (t) => {
  const cm = find(objects, 'ConfigMap', 'netobs-config');
  const cfg = parseConfig(cm.data as Record<string, string>);
  t.like(cfg, { namespace: 'netobs-system', bpffsRoot: '/sys/fs/bpf/netobs', flowRingSize: 4095, healthPort: 9879, metricsPort: 9962, flowMetricsPort: 9965, flowServerPort: 4244, relayPort: 4245, tlsEnabled: true, agentDaemonSet: 'netobs-agent' });
  t.deepEqual(cfg.httpPorts, [80, 8080]);
  t.is(cfg.metricsHandlers.length, 10);
  // No per-IP labels by default: a series per address grows with every pod restart.
  t.is(cfg.metricsHandlers.at(-1), 'httpV2:exemplars=true;labelsContext=source_namespace,source_workload,destination_namespace,destination_workload,traffic_direction');
  t.false(cfg.metricsHandlers.some((h) => /source_ip|destination_ip/.test(h)));
  t.like(cfg, { metricsMaxSeries: 10000, metricsListenAddress: '' });
  const env = at(find(objects, 'DaemonSet', 'netobs-agent'), 'spec', 'template', 'spec', 'containers', 0, 'env') as { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
  t.is(env.find((e) => e.name === 'HOST_IP')?.valueFrom?.fieldRef?.fieldPath, 'status.hostIP');
  t.throws(() => parseConfig({ ...(cm.data as Record<string, string>), 'flow-ring-size': 'many' }), { message: /key flow-ring-size: "many"/ });
});

test('the flow exporter: off by default; Hubble-style values reach the agent config', (t) => {
  const off = parseConfig(find(objects, 'ConfigMap', 'netobs-config').data as Record<string, string>);
  t.is(off.exporter, undefined);
  const cm = find(render({
    // Hubble's Helm values give the lists as JSON strings (in a values file); --set builds objects.
    files: [{ name: 'export.yaml', content: { agent: { exporter: { allowList: ['{"source_pod":["default/"]}'] } } } }],
    sets: [
      'agent.exporter.enabled=true', 'agent.exporter.maxSizeMb=5', 'agent.exporter.maxBackups=3',
      'agent.exporter.denyList[0].verdict[0]=DROPPED', 'agent.exporter.fieldMask={time,source.pod_name,verdict}',
    ],
  }), 'ConfigMap', 'netobs-config');
  const cfg = parseConfig(cm.data as Record<string, string>);
  t.deepEqual(cfg.exporter, {
    enabled: true, filePath: '/var/run/netobs/flows/events.log', maxSizeMb: 5, maxBackups: 3,
    allowList: [{ source_pod: ['default/'] }], denyList: [{ verdict: ['DROPPED'] }], fieldMask: ['time', 'source.pod_name', 'verdict'],
  });
  t.like(exporterConfig(cfg.exporter!), { maxSizeBytes: 5 * 1024 * 1024, denyList: [{ verdict: [2] }] });
});

test('--image, --version and --namespace reach every workload and label', (t) => {
  const o = render({ image: 'reg.example/x/netobs:v2', version: '2.0.0', namespace: 'obs' });
  const images = o.flatMap((x) => {
    const spec = at(x, 'spec', 'template', 'spec') as { containers?: { image: string }[]; initContainers?: { image: string }[] } | undefined;
    return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].map((c) => c.image);
  });
  t.deepEqual([...new Set(images)], ['reg.example/x/netobs:v2']);
  t.true(o.every((x) => x.metadata.labels['app.kubernetes.io/version'] === '2.0.0'));
  t.true(o.filter((x) => !CLUSTER_SCOPED.includes(x.kind)).every((x) => x.metadata.namespace === 'obs'));
  t.is(find(o, 'Namespace', 'obs').kind, 'Namespace');
  t.deepEqual(at(find(o, 'ClusterRoleBinding', 'netobs-agent'), 'subjects', 0, 'namespace'), 'obs');
});

test('optional parts: dashboards, service monitor, CRDs, TLS', (t) => {
  const names = (o: typeof objects) => o.map(objectKey);
  t.true(names(objects).includes('ConfigMap/netobs-system/netobs-dashboard-flows'));
  t.false(names(render({ sets: ['dashboards.enabled=false'] })).some((n) => n.includes('dashboard')));
  t.true(names(render({ sets: ['serviceMonitor.enabled=true'] })).includes('ServiceMonitor/netobs-system/netobs'));
  t.false(names(render({ sets: ['crds.install=false'] })).some((n) => n.startsWith('CustomResourceDefinition')));
  const noTls = render({ sets: ['tls.enabled=false'] });
  t.false(noTls.some((o) => o.kind === 'Secret'));
  t.false(JSON.stringify(find(noTls, 'DaemonSet', 'netobs-agent')).includes('netobs-agent-tls'));
  t.is(find(render({ sets: ['dashboards.namespace=monitoring'] }), 'ConfigMap', 'netobs-dashboard-agent').metadata.namespace, 'monitoring');
});

test('rendering with TLS enabled needs material', (t) => {
  t.throws(() => renderManifests({ values: resolveValues({ buildVersion: '1' }) }), { message: /tls\.enabled needs TLS material/ });
});
