import test from 'ava';
import { decideUninstall } from '../../agent/shutdown.ts';
import { ApiError } from '../../lib/kube-rest.ts';
import { loadConfig } from '../../agent/config.ts';

test('preStop detaches only when the agent DaemonSet is gone, deleting or annotated', (t) => {
  t.true(decideUninstall(undefined, new ApiError(404, 'GET', '/apis/apps/v1/namespaces/netobs-system/daemonsets/netobs-agent', '{}')).uninstall);
  t.true(decideUninstall({ metadata: { deletionTimestamp: '2025-01-01T00:00:00Z' } }).uninstall);
  t.true(decideUninstall({ metadata: { annotations: { 'netobs.io/uninstalling': 'true' } } }).uninstall);
  t.false(decideUninstall({ metadata: { annotations: { 'netobs.io/uninstalling': 'false' } } }).uninstall, 'a rolling update');
  const flaky = decideUninstall(undefined, new ApiError(503, 'GET', '/x', '{"message":"etcd down"}'));
  t.false(flaky.uninstall, 'an API error keeps the datapath');
  t.regex(flaky.why, /etcd down/);
  t.false(decideUninstall(undefined, new Error('connect ECONNREFUSED')).uninstall);
});

test('without --config-dir the install defaults apply, without TLS', (t) => {
  const c = loadConfig(undefined, '1.2.3');
  t.like(c, { flowServerPort: 4244, relayPort: 4245, healthPort: 9879, metricsPort: 9962, flowMetricsPort: 9965, tlsEnabled: false, flowRingSize: 4095, bpffsRoot: '/sys/fs/bpf/netobs' });
  t.throws(() => loadConfig('/nonexistent-netobs-config', '1'), { message: /config \/nonexistent-netobs-config/ });
});
