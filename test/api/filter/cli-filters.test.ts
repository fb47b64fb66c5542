import test from 'ava';
import { buildFlowFilters, type FlowFilters } from '../../../api/filter/cli-filters.ts';
import { FILTER_FLAGS, scanFilterArgs } from '../../../api/filter/cli-flags.ts';
import { FilterError } from '../../../api/filter/filter-match.ts';

const builds = test.macro({
  exec(t, argv: string[], expected: Partial<FlowFilters>) {
    t.deepEqual(buildFlowFilters(scanFilterArgs(argv)), { whitelist: [], blacklist: [], ...expected });
  },
  title: (title, argv: string[]) => title ?? (argv.length ? argv.join(' ') : '(no flags)'),
});

test(builds, [], {});
test(builds, ['--pod', 'default/xwing'], { whitelist: [{ source_pod: ['default/xwing'] }, { destination_pod: ['default/xwing'] }] });
test(builds, ['--pod', 'xwing'], { whitelist: [{ source_pod: ['xwing'] }, { destination_pod: ['xwing'] }] });
test(builds, ['-n', 'shop', '--pod', 'web'], { whitelist: [{ source_pod: ['shop/web'] }, { destination_pod: ['shop/web'] }] });
test(builds, ['-A', '--pod', 'web'], { whitelist: [{ source_pod: ['/web'] }, { destination_pod: ['/web'] }] });
test(builds, ['--from-pod', 'a/x', '--to-pod', 'b/y'], { whitelist: [{ source_pod: ['a/x'], destination_pod: ['b/y'] }] });
test(builds, ['--from-pod', 'a/x', '--from-pod', 'a/z'], { whitelist: [{ source_pod: ['a/x', 'a/z'] }] });
test(builds, ['-n', 'shop'], { whitelist: [{ source_pod: ['shop/'] }, { destination_pod: ['shop/'] }] });
test(builds, ['--namespace=shop', '--verdict', 'DROPPED', '--follow'], {
  whitelist: [{ source_pod: ['shop/'], verdict: [2] }, { destination_pod: ['shop/'], verdict: [2] }],
});
test(builds, ['--from-namespace', 'a', '--to-namespace', 'b'], { whitelist: [{ source_pod: ['a/'], destination_pod: ['b/'] }] });
test('-A alone filters nothing (hubble would send "/", which the netobs server rejects)', builds, ['-A'], {});
test('--from-namespace qualifies --from-pod', builds, ['--from-namespace', 'a', '--from-pod', 'x'], { whitelist: [{ source_pod: ['a/x'] }] });
test('-n qualifies services and adds no pod filter on that side', builds, ['-n', 'a', '--service', 's'], {
  whitelist: [{ source_service: ['a/s'] }, { destination_service: ['a/s'] }],
});
test('each -n qualifies a pod name', builds, ['-n', 'a', '-n', 'b', '--pod', 'x'], {
  whitelist: [{ source_pod: ['a/x', 'b/x'] }, { destination_pod: ['a/x', 'b/x'] }],
});
test('--to-namespace with --from-pod: namespace of the destination, pod of the source', builds, ['--to-namespace', 'b', '--from-pod', 'a/x'], {
  whitelist: [{ source_pod: ['a/x'], destination_pod: ['b/'] }],
});
test('--not -n excludes a namespace on either end', builds, ['--not', '-n', 'kube-system'], {
  blacklist: [{ source_pod: ['kube-system/'] }, { destination_pod: ['kube-system/'] }],
});
test('-n belongs to its own list: it does not qualify a negated pod', builds, ['-n', 'shop', '--not', '--pod', 'web'], {
  whitelist: [{ source_pod: ['shop/'] }, { destination_pod: ['shop/'] }],
  blacklist: [{ source_pod: ['web'] }, { destination_pod: ['web'] }],
});
test('a --not flag may be given the same flag as the whitelist', builds, ['--pod', 'a/x', '--not', '--pod', 'a/y'], {
  whitelist: [{ source_pod: ['a/x'] }, { destination_pod: ['a/x'] }],
  blacklist: [{ source_pod: ['a/y'] }, { destination_pod: ['a/y'] }],
});
test('every drop reason name of flow.proto', builds, ['--drop-reason-desc', 'STALE_OR_UNROUTABLE_IP'], { whitelist: [{ drop_reason_desc: [151] }] });
test(builds, ['-l', 'app=web', '-l', 'k8s:tier in (a,b)'], {
  whitelist: [{ source_label: ['app=web', 'k8s:tier in (a,b)'] }, { destination_label: ['app=web', 'k8s:tier in (a,b)'] }],
});
test(builds, ['--ip', '10.0.0.0/8', '--port', '53'], {
  whitelist: [{ source_ip: ['10.0.0.0/8'], source_port: ['53'] }, { destination_ip: ['10.0.0.0/8'], destination_port: ['53'] }],
});
test(builds, ['--to-fqdn', '*.example.com', '--protocol', 'tcp', '--protocol', 'udp'], {
  whitelist: [{ destination_fqdn: ['*.example.com'], protocol: ['tcp', 'udp'] }],
});
test(builds, ['--service', 'kube-system/kube-dns'], { whitelist: [{ source_service: ['kube-system/kube-dns'] }, { destination_service: ['kube-system/kube-dns'] }] });
test(builds, ['--verdict', 'dropped', '--drop-reason-desc', 'POLICY_DENIED'], { whitelist: [{ verdict: [2], drop_reason_desc: [133] }] });
test(builds, ['-t', 'drop'], { whitelist: [{ event_type: [{ type: 1 }] }] });
test(builds, ['-t', 'trace:to-endpoint', '--type', 'l7'], { whitelist: [{ event_type: [{ type: 4, match_sub_type: true, sub_type: 0 }, { type: 129 }] }] });
test(builds, ['-t', '1:133', '-t', 'policy-verdict'], { whitelist: [{ event_type: [{ type: 1, match_sub_type: true, sub_type: 133 }, { type: 5 }] }] });
test(builds, ['--http-status', '5+', '--http-method', 'GET', '--http-path', '^/api'], {
  whitelist: [{ http_status_code: ['5+'], http_method: ['GET'], http_path: ['^/api'] }],
});
test(builds, ['--identity', 'world', '--identity', '16092'], { whitelist: [{ source_identity: [2, 16092] }, { destination_identity: [2, 16092] }] });
test(builds, ['--traffic-direction', 'ingress', '--node-name', 'node-*', '--tcp-flags', 'syn,ack', '--tcp-flags', 'FIN'], {
  whitelist: [{ traffic_direction: [1], node_name: ['node-*'], tcp_flags: [{ SYN: true, ACK: true }, { FIN: true }] }],
});
test(builds, ['--to-workload', 'Deployment/web'], { whitelist: [{ destination_workload: [{ kind: 'Deployment', name: 'web' }] }] });
test(builds, ['--not', '--verdict', 'FORWARDED'], { blacklist: [{ verdict: [1] }] });
test(builds, ['--pod', 'a/x', '--not', '--to-port', '53', '--protocol', 'udp'], {
  whitelist: [{ source_pod: ['a/x'], protocol: ['udp'] }, { destination_pod: ['a/x'], protocol: ['udp'] }],
  blacklist: [{ destination_port: ['53'] }],
});
test(builds, ['-4', '--ipv6'], { whitelist: [{ ip_version: [1, 2] }] });
test('non-filter flags and their values are skipped', builds, ['-o', 'json', '--last', '20', '--since', '5m', '-f', '--port', '80'], {
  whitelist: [{ source_port: ['80'] }, { destination_port: ['80'] }],
});

const rejects = test.macro({
  exec(t, argv: string[], message: RegExp) {
    const err = t.throws(() => buildFlowFilters(scanFilterArgs(argv)), { instanceOf: FilterError });
    t.regex(err?.message ?? '', message);
  },
  title: (title, argv: string[]) => title ?? `rejects ${argv.join(' ')}`,
});

test(rejects, ['--verdict', 'DENIED'], /--verdict "DENIED": unknown value \(one of VERDICT_UNKNOWN, FORWARDED, DROPPED/);
test(rejects, ['--pod', 'x', '--ip', '1.2.3.4'], /filters --ip and --pod cannot be combined/);
test(rejects, ['-n', 'a', '--from-pod', 'x'], /filters --from-pod and --namespace cannot be combined/);
test(rejects, ['-n', 'a', '--to-namespace', 'b'], /filters --to-namespace and --namespace cannot be combined/);
test(rejects, ['--to-service', 'x', '-A'], /filters --to-service and --all-namespaces cannot be combined/);
test(rejects, ['--from-ip', '1.1.1.1', '--from-namespace', 'a'], /filters --from-ip and --from-namespace cannot be combined/);
test(rejects, ['-n', 'default', '--pod', 'kube-system/x'], /namespace conflict: "default" does not contain "kube-system\/x"/);
test(rejects, ['--pod', 'kube-system/x', '-A'], /namespace conflict: "" does not contain "kube-system\/x"/);
test(rejects, ['--from-pod', 'default/a', '--from-service', 'b'], /namespace of service "b" conflict with pod "default"/);
test(rejects, ['--drop-reason-desc', 'NOPE'], /--drop-reason-desc "NOPE": unknown value/);
test(rejects, ['--label', 'a=b', '--from-label', 'c=d'], /--label and --from-label/);
test(rejects, ['--workload', 'Deployment/web', '--from-workload', 'x'], /--workload and --from-workload/);
test(rejects, ['--not', '--not', '--pod', 'x'], /consecutive --not statements/);
test(rejects, ['--pod', 'x', '--not'], /trailing --not found in the arguments/);
test(rejects, ['-t', 'bogus'], /unknown event type/);
test(rejects, ['-t', 'trace:nowhere'], /unknown subtype/);
test(rejects, ['--tcp-flags', 'SYN,XMAS'], /unknown flag "XMAS"/);
test(rejects, ['--identity', 'nobody'], /reserved identity/);
test(rejects, ['--traffic-direction', 'sideways'], /INGRESS, EGRESS/);
test(rejects, ['--ip', '300.1.1.1'], /source_ip "300.1.1.1"/);
test(rejects, ['--http-status', '20'], /status code/);

test('every filter flag has a description and a unique name', (t) => {
  const names = FILTER_FLAGS.map((f) => f.name);
  t.is(new Set(names).size, names.length);
  t.true(FILTER_FLAGS.every((f) => f.describe.length > 10));
});

test('scan keeps order and reads inline values', (t) => {
  t.deepEqual(scanFilterArgs(['--not', '--pod=a/b', '-n=x', '-A', '--', '--pod', 'c']), [
    { name: 'not', value: 'true' }, { name: 'pod', value: 'a/b' }, { name: 'namespace', value: 'x' }, { name: 'all-namespaces', value: 'true' },
  ]);
});

// Cases of hubble's own hubble/cmd/observe/flows_filter_test.go, with the filters it expects.
test('upstream TestFilterLeftRight', builds, [
  '--ip', '1.2.3.4', '--ip', '5.6.7.8', '--verdict', 'DROPPED', '--not', '--pod', 'deathstar',
  '--not', '--http-status', '200', '--http-method', 'get', '--http-path', '/page/\\d+', '--node-name', 'k8s*',
], {
  whitelist: [
    { source_ip: ['1.2.3.4', '5.6.7.8'], verdict: [2], http_method: ['get'], http_path: ['/page/\\d+'], node_name: ['k8s*'] },
    { destination_ip: ['1.2.3.4', '5.6.7.8'], verdict: [2], http_method: ['get'], http_path: ['/page/\\d+'], node_name: ['k8s*'] },
  ],
  blacklist: [{ source_pod: ['deathstar'], http_status_code: ['200'] }, { destination_pod: ['deathstar'], http_status_code: ['200'] }],
});
test('upstream TestFilterDispatch', builds, ['--from-ip', '1.2.3.4', '--from-ip', '5.6.7.8', '--not', '--to-ip', '5.5.5.5', '--verdict', 'DROPPED', '-t', 'l7'], {
  whitelist: [{ source_ip: ['1.2.3.4', '5.6.7.8'], verdict: [2], event_type: [{ type: 129 }] }],
  blacklist: [{ destination_ip: ['5.5.5.5'] }],
});
test('upstream TestFromToWorkloadCombined', builds, ['--pod', 'cilium', '--to-workload', 'app'], {
  whitelist: [{ source_pod: ['cilium'], destination_workload: [{ name: 'app' }] }, { destination_pod: ['cilium'], destination_workload: [{ name: 'app' }] }],
});
test('upstream "complex with namespace and service ok"', builds, ['--service', 'bar', '--pod', 'blib', '--namespace', 'test', '--from-port', '1172'], {
  whitelist: [
    { source_service: ['test/bar'], source_pod: ['test/blib'], source_port: ['1172'] },
    { destination_service: ['test/bar'], destination_pod: ['test/blib'], source_port: ['1172'] },
  ],
});
test('upstream: ip fqdn conflict', rejects, ['--from-ip', '1.2.3.4', '--from-fqdn', 'doesnt.work'], /filters --from-fqdn and --from-ip cannot be combined/);
test('upstream: svc from-svc conflict', rejects, ['--from-service', 'foo', '--service', 'bar'], /filters --service and --from-service cannot be combined/);
for (const [a, b] of [['--namespace', '--from-namespace'], ['--all-namespaces', '--to-namespace'], ['--ip', '--namespace'], ['--to-ip', '--to-pod'], ['--pod', '--to-fqdn'], ['--namespace', '--to-service']]) {
  test(`upstream conflict table: ${a} ${b}`, rejects, [a ?? '', 'foo', b ?? '', 'bar'], /cannot be combined/);
}
