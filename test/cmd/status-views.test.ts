import test from 'ava';
import { endpointRows, entryRows, mapRows } from '../../cmd/status-views.ts';
import { formatTable as table } from '../../lib/table.ts';

const ep = {
  node: 'node1', id: 1234, identity: 16081, namespace: 'default', podName: 'deathstar-1', labels: ['k8s:org=empire', 'k8s:io.kubernetes.pod.namespace=default'],
  ipv4: '10.244.1.5', interface: 'lxc1a2b', ifindex: 7, ingressEnforcement: true, egressEnforcement: false, status: 'ready',
};

test('endpoint rows: cilium columns, enforcement per direction, namespace labels only when wide', (t) => {
  const rows = endpointRows([ep], false);
  t.deepEqual(rows[0]!.slice(1, 4), ['ENDPOINT', 'POLICY (ingress/egress) ENFORCEMENT', 'IDENTITY']);
  t.deepEqual(rows[1], ['node1', '1234', 'Enabled/Disabled', '16081', 'k8s:org=empire', '10.244.1.5', '-', 'ready']);
  const wide = endpointRows([ep], true);
  t.is(wide[1]![4], 'k8s:org=empire,k8s:io.kubernetes.pod.namespace=default');
  t.deepEqual(wide[1]!.slice(-2), ['default/deathstar-1', 'lxc1a2b (7)']);
});

test('map rows sort by node and name and show pressure in percent', (t) => {
  const rows = mapRows([
    { node: 'node2', name: 'netobs_ct', type: 'lru_hash', entries: 10, maxEntries: 1000, pressure: 0.01, keySize: 40, valueSize: 80 },
    { node: 'node1', name: 'netobs_policy', type: 'hash', entries: 512, maxEntries: 1024, pressure: 0.5, keySize: 12, valueSize: 8 },
  ]);
  t.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[5]]), [['node1', 'netobs_policy', '50.0%'], ['node2', 'netobs_ct', '1.0%']]);
});

test('entry rows and table alignment', (t) => {
  const text = table(entryRows([{ node: 'node1', map: 'netobs_ipcache', total: 1, offset: 0, entries: [{ key: '10.244.1.5/32', value: 'identity=16081' }] }]));
  t.is(text, 'NODE    KEY             VALUE\nnode1   10.244.1.5/32   identity=16081\n');
});
