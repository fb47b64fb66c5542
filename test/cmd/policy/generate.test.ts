import test from 'ava';
import type { Endpoint, Flow } from '../../../api/types.ts';
import { Verdict } from '../../../api/types.ts';
import { generatePolicies } from '../../../cmd/policy/generate.ts';
import { parseNetobsPolicy } from '../../../agent/policy/parse-crd.ts';

const pod = (ns: string, name: string, labels: Record<string, string>, workload?: string): Endpoint => ({
  namespace: ns, pod_name: name, workloads: workload ? [{ name: workload, kind: 'Deployment' }] : [],
  labels: [...Object.entries(labels).map(([k, v]) => `k8s:${k}=${v}`), `k8s:io.kubernetes.pod.namespace=${ns}`],
});
const ds1 = pod('default', 'deathstar-6f8-abcde', { org: 'empire', class: 'deathstar', 'pod-template-hash': '6f8' }, 'deathstar');
const ds2 = pod('default', 'deathstar-6f8-fghij', { org: 'empire', class: 'deathstar', 'pod-template-hash': '6f8' }, 'deathstar');
const tie = pod('default', 'tiefighter', { org: 'empire', class: 'tiefighter' });
const xwing = pod('default', 'xwing', { org: 'alliance', class: 'xwing' });
const other = pod('monitoring', 'prom-0', { app: 'prometheus', 'statefulset.kubernetes.io/pod-name': 'prom-0' }, 'prom');
const host: Endpoint = { identity: 1, labels: ['reserved:host'] };
const world: Endpoint = { identity: 2, labels: ['reserved:world'] };

let port = 40000;
const syn = (src: Endpoint, dst: Endpoint, dport: number, o: { verdict?: Verdict; sip?: string; dip?: string; names?: string[] } = {}): Flow => ({
  verdict: o.verdict ?? Verdict.FORWARDED, is_reply: { value: false }, source: src, destination: dst,
  IP: { source: o.sip ?? '10.0.1.1', destination: o.dip ?? '10.0.1.2' },
  l4: { TCP: { source_port: port++, destination_port: dport, flags: { SYN: true } } },
  ...(o.names ? { destination_names: o.names } : {}),
});
const udp = (src: Endpoint, dst: Endpoint, dport: number, dip: string): Flow => ({
  verdict: Verdict.FORWARDED, is_reply: { value: false }, source: src, destination: dst, IP: { source: '10.0.1.1', destination: dip }, l4: { UDP: { source_port: port++, destination_port: dport } },
});

const demo: Flow[] = [
  syn(tie, ds1, 80), syn(tie, ds2, 80), syn(tie, ds2, 80),
  syn(xwing, ds1, 80, { verdict: Verdict.DROPPED }), // denied: never becomes an allow
  { ...syn(ds1, tie, 40001), is_reply: { value: true }, l4: { TCP: { source_port: 80, destination_port: 40001, flags: { SYN: true, ACK: true } } } },
  udp(tie, host, 53, '192.168.100.1'), udp(xwing, host, 53, '192.168.100.1'),
  syn(tie, world, 80, { dip: '203.0.113.10', names: ['www.world.lab'] }),
  syn(other, ds1, 9090),
  { verdict: Verdict.FORWARDED, is_reply: { value: false }, source: tie, destination: ds1, IP: { source: '10.0.1.1', destination: '10.0.1.2' }, l4: { ICMPv4: { type: 8 } } },
];

type Pol = { metadata: { name: string; annotations: Record<string, string> }; spec: Record<string, any> };

test('the demo: deathstar admits the tiefighter on 80 and prometheus on 9090, nothing from the xwing; ships reach only what they reached', (t) => {
  const r = generatePolicies(demo, { namespace: 'default', kind: 'netobs', audit: false });
  const byName = Object.fromEntries((r.policies as Pol[]).map((p) => [p.metadata.name, p.spec]));
  t.deepEqual(Object.keys(byName), ['generated-deathstar', 'generated-tiefighter', 'generated-xwing']);
  const ds = byName['generated-deathstar']!;
  // The selector keeps what both replicas share, not the pod-template-hash.
  t.deepEqual(ds.endpointSelector, { matchLabels: { class: 'deathstar', org: 'empire' } });
  t.deepEqual(ds.ingress, [
    { fromEndpoints: [{ matchLabels: { class: 'tiefighter', org: 'empire' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    { fromEndpoints: [{ matchLabels: { class: 'tiefighter', org: 'empire' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
    { fromEndpoints: [{ matchLabels: { app: 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
  ]);
  t.deepEqual(ds.egress, [{}], 'nothing seen going out: default-deny, nothing allowed');
  const tf = byName['generated-tiefighter']!;
  t.deepEqual(tf.egress, [
    { toCIDR: ['203.0.113.10/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    { toEntities: ['host'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
    { toEndpoints: [{ matchLabels: { class: 'deathstar', org: 'empire' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
    { toEndpoints: [{ matchLabels: { class: 'deathstar', org: 'empire' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
  ]);
  // The xwing's landing was dropped: only its DNS is allowed.
  t.deepEqual(byName['generated-xwing']!.egress, [{ toEntities: ['host'], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }]);
  t.is(r.skipped, 2);
});

test('every generated netobs policy parses as the agent parses policies', (t) => {
  for (const p of generatePolicies(demo, { namespace: 'default', kind: 'netobs', audit: true }).policies as Pol[]) {
    t.is(p.metadata.annotations['netobs.io/audit'], 'true');
    t.notThrows(() => parseNetobsPolicy(p as never, 'NetworkPolicy', p.metadata.name, 'default'), p.metadata.name);
  }
});

test('--workload limits the output; another namespace sees its own side only', (t) => {
  t.deepEqual((generatePolicies(demo, { namespace: 'default', workload: 'tiefighter', kind: 'netobs', audit: false }).policies as Pol[]).map((p) => p.metadata.name), ['generated-tiefighter']);
  const mon = generatePolicies(demo, { namespace: 'monitoring', kind: 'netobs', audit: false }).policies as Pol[];
  t.deepEqual(mon.map((p) => p.metadata.name), ['generated-prom']);
  t.deepEqual(mon[0]!.spec.egress, [{ toEndpoints: [{ matchLabels: { class: 'deathstar', org: 'empire', 'k8s:io.kubernetes.pod.namespace': 'default' } }], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] }]);
});

test('Kubernetes output: pods and CIDRs as peers; host and ICMP cannot be said, so they are left out and named', (t) => {
  const pols = generatePolicies(demo, { namespace: 'default', kind: 'k8s', audit: false }).policies as Pol[];
  const tf = pols.find((p) => p.metadata.name === 'generated-tiefighter')!;
  t.deepEqual(tf.spec.policyTypes, ['Ingress', 'Egress']);
  t.deepEqual(tf.spec.egress, [
    { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ port: 80, protocol: 'TCP' }] },
    { to: [{ podSelector: { matchLabels: { class: 'deathstar', org: 'empire' } } }], ports: [{ port: 80, protocol: 'TCP' }] },
  ]);
  t.is(tf.metadata.annotations['netobs.io/not-expressible'], 'egress ICMP, egress host');
  const ds = pols.find((p) => p.metadata.name === 'generated-deathstar')!;
  t.deepEqual(ds.spec.ingress[1].from, [{ podSelector: { matchLabels: { app: 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
});
