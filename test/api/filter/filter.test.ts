import test from 'ava';
import { compileFilter, compileFilters, FilterError, responsePasses } from '../../../api/filter/filter.ts';
import type { Flow, FlowFilter } from '../../../api/types.ts';

const drop: Flow = {
  verdict: 2, drop_reason_desc: 133, node_name: 'lab/node-1', traffic_direction: 1,
  IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
  l4: { TCP: { source_port: 49610, destination_port: 80, flags: { SYN: true } } },
  source: { identity: 16092, namespace: 'default', pod_name: 'xwing', labels: ['k8s:class=xwing', 'k8s:org=alliance', 'k8s:io.kubernetes.pod.namespace=default'], workloads: [{ name: 'xwing', kind: 'Deployment' }] },
  destination: { identity: 16081, namespace: 'default', pod_name: 'deathstar-6f87', labels: ['k8s:class=deathstar', 'k8s:org=empire'] },
  destination_service: { name: 'deathstar', namespace: 'default' },
  event_type: { type: 1, sub_type: 133 }, is_reply: { value: false }, node_labels: ['kubernetes.io/hostname=node-1', 'zone=a'],
};
const dns: Flow = {
  verdict: 1, node_name: 'node-2', traffic_direction: 2,
  IP: { source: 'fd00::5', destination: 'fd00::a', ipVersion: 2 },
  l4: { UDP: { source_port: 41391, destination_port: 53 } },
  source: { identity: 16092, namespace: 'shop', pod_name: 'frontend', labels: ['k8s:app=frontend'] },
  destination: { identity: 453, namespace: 'kube-system', pod_name: 'coredns-1', labels: ['k8s:k8s-app=kube-dns'] },
  event_type: { type: 129 }, Type: 2,
  l7: { type: 2, dns: { query: 'api.Example.com.', ips: ['1.2.3.4'] } },
  destination_names: ['API.example.com'],
};
const http: Flow = {
  verdict: 1, node_name: 'node-2', traffic_direction: 1,
  IP: { source: '10.0.1.9', destination: '93.184.216.34', ipVersion: 1 },
  l4: { TCP: { source_port: 1000, destination_port: 8080, flags: { PSH: true, ACK: true } } },
  source: { identity: 2, labels: ['reserved:world'] }, destination: { identity: 300, namespace: 'shop', pod_name: 'backend' },
  event_type: { type: 4, sub_type: 0 }, is_reply: { value: true }, interface: { index: 4, name: 'lxc9' },
  l7: { type: 2, http: { code: 404, method: 'get', url: 'http://backend.shop:8080/api/v1/items?id=3' } },
};
const flows = { drop, dns, http };
type Name = keyof typeof flows;

const selects = test.macro({
  exec(t, filter: FlowFilter, expected: Name[]) {
    const p = compileFilter(filter);
    t.deepEqual((Object.keys(flows) as Name[]).filter((n) => p(flows[n])), expected);
  },
  title: (title, filter) => title ?? JSON.stringify(filter),
});

test(selects, {}, ['drop', 'dns', 'http']);
test(selects, { source_pod: ['default/'] }, ['drop']);
test(selects, { source_pod: ['xwing'] }, ['drop']);
test(selects, { source_pod: ['frontend'] }, []);
test(selects, { source_pod: ['/front'] }, ['dns']);
test(selects, { source_pod: ['shop/front', 'default/x'] }, ['drop', 'dns']);
test(selects, { destination_pod: ['default/deathstar'] }, ['drop']);
test(selects, { source_ip: ['10.0.1.5'] }, ['drop']);
test(selects, { source_ip: ['10.0.0.0/16'] }, ['drop', 'http']);
test(selects, { source_ip: ['fd00::/64'] }, ['dns']);
test(selects, { destination_ip: ['93.184.216.0/24', '10.0.2.7'] }, ['drop', 'http']);
test(selects, { source_label: ['class=xwing'] }, ['drop']);
test(selects, { source_label: ['k8s:class=xwing,org in (alliance, rebels)'] }, ['drop']);
test(selects, { source_label: ['org notin (alliance)'] }, ['dns', 'http']);
test(selects, { source_label: ['reserved:world'] }, ['http']);
test(selects, { source_label: ['!class'] }, ['dns', 'http']);
test(selects, { source_label: ['class!=xwing'] }, ['dns', 'http']);
test(selects, { source_label: ['foo:class=xwing'] }, []);
test(selects, { destination_label: ['k8s-app=kube-dns', 'org==empire'] }, ['drop', 'dns']);
test(selects, { node_labels: ['zone=a'] }, ['drop']);
test(selects, { source_port: ['41391'] }, ['dns']);
test(selects, { destination_port: ['80', '8080'] }, ['drop', 'http']);
test(selects, { protocol: ['TCP'] }, ['drop', 'http']);
test(selects, { protocol: ['udp'] }, ['dns']);
test(selects, { protocol: ['dns'] }, ['dns']);
test(selects, { protocol: ['http', 'icmp'] }, ['http']);
test(selects, { verdict: [2] }, ['drop']);
test(selects, { verdict: [1, 3] }, ['dns', 'http']);
test(selects, { drop_reason_desc: [133] }, ['drop']);
test(selects, { drop_reason_desc: [181] }, []);
test(selects, { event_type: [{ type: 1 }] }, ['drop']);
test(selects, { event_type: [{ type: 1, match_sub_type: true, sub_type: 181 }] }, []);
test(selects, { event_type: [{ type: 4, match_sub_type: true, sub_type: 0 }, { type: 129 }] }, ['dns', 'http']);
test(selects, { source_identity: [16092] }, ['drop', 'dns']);
test(selects, { destination_identity: [453, 300] }, ['dns', 'http']);
test(selects, { destination_service: ['default/death'] }, ['drop']);
test(selects, { destination_service: ['deathstar'] }, ['drop']);
test(selects, { destination_fqdn: ['*.example.com'] }, ['dns']);
test(selects, { destination_fqdn: ['api.example.com.'] }, ['dns']);
test(selects, { destination_fqdn: ['example.com'] }, []);
test(selects, { dns_query: ['^API\\.'] }, []);
test(selects, { dns_query: ['Example\\.com\\.$'] }, ['dns']);
test(selects, { http_status_code: ['404'] }, ['http']);
test(selects, { http_status_code: ['4+'] }, ['http']);
test(selects, { http_status_code: ['2+', '40+'] }, ['http']);
test(selects, { http_status_code: ['5+'] }, []);
test(selects, { http_method: ['GET'] }, ['http']);
test(selects, { http_path: ['^/api/v[0-9]+/items$'] }, ['http']);
test(selects, { http_path: ['id=3'] }, []);
test(selects, { http_url: ['id=3'] }, ['http']);
test(selects, { traffic_direction: [1] }, ['drop', 'http']);
test(selects, { node_name: ['node-*'] }, ['drop', 'dns', 'http']);
test(selects, { node_name: ['lab/*'] }, ['drop']);
test(selects, { node_name: ['node-2'] }, ['dns', 'http']);
test(selects, { node_name: ['other/node-2'] }, []);
test(selects, { tcp_flags: [{ SYN: true }] }, ['drop']);
test(selects, { tcp_flags: [{ ACK: true }, { FIN: true }] }, ['http']);
test(selects, { tcp_flags: [{ SYN: true, ACK: true }] }, []);
test(selects, { reply: [true] }, ['http']);
test(selects, { reply: [false] }, ['drop', 'dns']);
test(selects, { source_workload: [{ kind: 'Deployment' }] }, ['drop']);
test(selects, { source_workload: [{ name: 'xwing', kind: 'StatefulSet' }] }, []);
test(selects, { ip_version: [2] }, ['dns']);
test(selects, { interface: [{ name: 'lxc9' }] }, ['http']);
test('fields are AND-ed', selects, { source_pod: ['default/'], verdict: [1] }, []);
test('fields are AND-ed (match)', selects, { source_identity: [16092], protocol: ['udp'] }, ['dns']);

const rejects = test.macro({
  exec(t, filter: FlowFilter, message: RegExp) {
    const err = t.throws(() => compileFilter(filter), { instanceOf: FilterError });
    t.regex(err?.message ?? '', message);
  },
  title: (title, filter) => title ?? `rejects ${JSON.stringify(filter)}`,
});

test(rejects, { source_ip: ['10.0.0.300'] }, /source_ip "10.0.0.300"/);
test(rejects, { source_ip: ['10.0.0.0/33'] }, /prefix length/);
test(rejects, { source_pod: [''] }, /namespace/);
test(rejects, { destination_port: ['http'] }, /port/);
test(rejects, { protocol: ['quic'] }, /unknown protocol/);
test(rejects, { http_status_code: ['600'] }, /status code/);
test(rejects, { http_path: ['('] }, /http_path/);
test(rejects, { source_label: ['a in ()'] }, /empty value set/);
test(rejects, { source_fqdn: ['a b'] }, /DNS name/);
test(rejects, { node_name: ['a/b/c'] }, /cluster/);

test('whitelist any-match minus blacklist any-match', (t) => {
  const p = compileFilters([{ verdict: [1] }, { source_pod: ['default/'] }], [{ protocol: ['http'] }]);
  t.deepEqual((Object.keys(flows) as Name[]).filter((n) => p(flows[n])), ['drop', 'dns']);
  const onlyBlack = compileFilters([], [{ verdict: [2] }]);
  t.deepEqual((Object.keys(flows) as Name[]).filter((n) => onlyBlack(flows[n])), ['dns', 'http']);
});

test('lost events and node status pass any filter', (t) => {
  const p = compileFilters([{ verdict: [3] }]);
  t.false(responsePasses(p, { flow: drop }));
  t.true(responsePasses(p, { lost_events: { source: 3, num_events_lost: 1 } }));
  t.true(responsePasses(p, { node_status: { state_change: 2 } }));
});
