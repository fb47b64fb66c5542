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
/** A connection as the flows show it: the first packet and, when answered, the reply. */
function conn(src: Endpoint, dst: Endpoint, proto: 'TCP' | 'UDP' | 'ICMP', dport: number, o: { verdict?: Verdict; answered?: boolean; dip?: string; names?: string[] } = {}): Flow[] {
  const sport = port++;
  const [sip, dip] = ['10.0.1.1', o.dip ?? '10.0.1.2'];
  const l4 = (reply: boolean) => proto === 'TCP'
    ? { TCP: { source_port: reply ? dport : sport, destination_port: reply ? sport : dport, flags: reply ? { SYN: true, ACK: true } : { SYN: true } } }
    : proto === 'UDP' ? { UDP: { source_port: reply ? dport : sport, destination_port: reply ? sport : dport } } : { ICMPv4: { type: reply ? 0 : 8 } };
  const first: Flow = { verdict: o.verdict ?? Verdict.FORWARDED, is_reply: { value: false }, source: src, destination: dst, IP: { source: sip, destination: dip }, l4: l4(false), ...(o.names ? { destination_names: o.names } : {}) };
  if (o.answered === false || o.verdict === Verdict.DROPPED) return [first];
  return [first, { verdict: Verdict.FORWARDED, is_reply: { value: true }, source: dst, destination: src, IP: { source: dip, destination: sip }, l4: l4(true) }];
}

const demo: Flow[] = [
  ...conn(tie, ds1, 'TCP', 80), ...conn(tie, ds2, 'TCP', 80), ...conn(tie, ds2, 'TCP', 80),
  // The xwing's landing: forwarded by its own egress, dropped at the deathstar's ingress, never
  // answered; neither side may learn an allow from it.
  ...conn(xwing, ds1, 'TCP', 80, { answered: false }), ...conn(xwing, ds1, 'TCP', 80, { verdict: Verdict.DROPPED }),
  ...conn(tie, host, 'UDP', 53, { dip: '192.168.100.1' }), ...conn(xwing, host, 'UDP', 53, { dip: '192.168.100.1' }),
  ...conn(tie, world, 'TCP', 80, { dip: '203.0.113.10', names: ['www.world.lab'] }),
  ...conn(other, ds1, 'TCP', 9090),
  ...conn(tie, ds1, 'ICMP', 8),
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
  // Replies, and the xwing's unanswered and dropped attempts.
  t.is(r.skipped, 10);
  t.is(r.used, 8);
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
