// Audit policies: kept out of the enforced table, judged against connections through the shadow
// table, shown as AUDIT flows naming them; one edit (the annotation) switches to enforcing.
import test from 'ava';
import { parse } from 'yaml';
import { Verdict, type Flow } from '../../../api/types.ts';
import type { NetobsEvent } from '../../../bpf/loader/events.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';
import { policyKey } from '../../../agent/cluster/state.ts';
import { auditFlow } from '../../../agent/runtime/audit-flows.ts';
import { PolicyState } from '../../../agent/runtime/policies.ts';
import type { PolicyObject } from '../../../lib/kube-objects.ts';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';
import { cluster, crd, knp, type Pod } from '../policy/cluster.ts';

const PODS: Pod[] = [
  { identity: 1000, ns: 'default', labels: { org: 'empire', class: 'deathstar' }, endpoint: 1 },
  { identity: 1001, ns: 'default', labels: { org: 'empire', class: 'tiefighter' }, endpoint: 2 },
  { identity: 1002, ns: 'default', labels: { org: 'alliance', class: 'xwing' }, endpoint: 3 },
];
const RULE1 = knp('rule1', '  podSelector: {matchLabels: {org: empire, class: deathstar}}\n  ingress: [{from: [{podSelector: {matchLabels: {org: empire}}}], ports: [{protocol: TCP, port: 80}]}]');
const audited = (y: string, on = true): PolicyObject => {
  const o = parse(y) as PolicyObject;
  return { ...o, metadata: { ...o.metadata, resourceVersion: on ? '2' : '3', ...(on && { annotations: { 'netobs.io/audit': 'true' } }) } };
};
const NO_TIE = crd('no-tiefighter', '  endpointSelector: {matchLabels: {class: deathstar}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {class: tiefighter}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]');
const XWING_OUT = crd('xwing-out', '  endpointSelector: {matchLabels: {class: xwing}}\n  egress: [{toEndpoints: [{matchLabels: {class: deathstar}}], toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]');

function state(objs: PolicyObject[]): PolicyState {
  const s = new PolicyState({ ...cluster(PODS), cidrIdentities: new CidrIdentities() });
  s.sync(new Map(objs.map((o) => [policyKey(o), o])), true);
  return s;
}

const tables = (s: PolicyState) => ({ enforced: s.compiler, shadow: s.shadow!.compiler, shadowCidr: s.shadow!.cidr, audit: s.shadow!.audit, flowPolicy: (r: { name: string; kind: string }) => ({ name: r.name, kind: r.kind }) });

function event(o: Partial<NetobsEvent>): NetobsEvent {
  return {
    type: 5, subType: 0, direction: 1, verdict: 1, matchType: 2, ipVersion: 4, protocol: 6, timestampNs: 1n,
    ifindex: 5, endpointId: 1, srcIdentity: 1001, dstIdentity: 1000, srcIp: '10.0.0.11', dstIp: '10.0.0.10', srcPort: 40000,
    dstPort: 80, tcpFlags: 0x02, icmpType: 0, icmpCode: 0, isReply: false, newConnection: true, related: false, fragment: false,
    dropReason: 0, length: 60, ruleId: 0, tcpState: 'syn-sent', packets: 1n, bytes: 60n, ...o,
  };
}
const forwarded: Flow = { verdict: Verdict.FORWARDED, event_type: { type: 5, sub_type: 0 }, traffic_direction: 1, ingress_allowed_by: [{ name: 'rule1', kind: 'NetworkPolicy' }] };

test('an audit policy is not enforced; removing the annotation enforces it', (t) => {
  const s = state([parse(RULE1) as PolicyObject, audited(NO_TIE)]);
  t.false(s.compiler.result().entries.some((e) => e.deny), 'no deny entry reaches the datapath');
  t.true(s.shadow!.compiler.result().entries.some((e) => e.deny && e.policies.some((p) => p.name === 'no-tiefighter')));
  t.deepEqual(s.parsed().map((p) => p.ref.name), ['rule1']);
  s.sync(new Map([parse(RULE1) as PolicyObject, audited(NO_TIE, false)].map((o) => [policyKey(o), o])), false);
  t.true(s.compiler.result().entries.some((e) => e.deny && e.policies.some((p) => p.name === 'no-tiefighter')));
  t.is(s.shadow, undefined, 'no audit policy left: no shadow table');
});

test('a connection the audit policy would deny gets an AUDIT flow naming it; the real flow is untouched', (t) => {
  const s = state([parse(RULE1) as PolicyObject, audited(NO_TIE)]);
  const f = auditFlow(tables(s), event({}), forwarded);
  t.is(f?.verdict, Verdict.AUDIT);
  t.deepEqual(f?.event_type, { type: 5, sub_type: 0 });
  t.deepEqual(f?.ingress_denied_by, [{ name: 'no-tiefighter', kind: 'NetobsNetworkPolicy' }]);
  t.is(f?.ingress_allowed_by, undefined);
  t.is(f?.policy_match_type, 2);
  t.is(forwarded.verdict, Verdict.FORWARDED);
  // The X-wing: the enforced policy alone decides (and already drops it); nothing to audit.
  t.is(auditFlow(tables(s), event({ srcIdentity: 1002, verdict: 2 }), { ...forwarded, verdict: Verdict.DROPPED }), undefined);
  // Replies are not judged.
  t.is(auditFlow(tables(s), event({ isReply: true }), forwarded), undefined);
});

test('in a direction nothing enforces, a new connection is judged: an audit allow-list would deny the rest', (t) => {
  const s = state([parse(RULE1) as PolicyObject, audited(XWING_OUT)]);
  const out = (dst: number, port: number) => event({ type: 4, subType: 5, direction: 2, endpointId: 3, srcIdentity: 1002, dstIdentity: dst, dstPort: port });
  const denied = auditFlow(tables(s), out(1001, 80), { verdict: Verdict.FORWARDED, traffic_direction: 2 });
  t.deepEqual(denied?.egress_denied_by, [{ name: 'xwing-out', kind: 'NetobsNetworkPolicy' }]);
  const allowed = auditFlow(tables(s), out(1000, 80), { verdict: Verdict.FORWARDED, traffic_direction: 2 });
  t.deepEqual(allowed?.egress_allowed_by, [{ name: 'xwing-out', kind: 'NetobsNetworkPolicy' }]);
  t.is(allowed?.verdict, Verdict.AUDIT);
  // Not the first event of a connection: nothing.
  t.is(auditFlow(tables(s), { ...out(1001, 80), newConnection: false }, { verdict: Verdict.FORWARDED }), undefined);
});

test('an audit allow that holds only through the L7 proxy gets no AUDIT verdict: its HTTP rules are not judged', (t) => {
  const http = crd('http-get', '  endpointSelector: {matchLabels: {class: tiefighter}}\n  ingress: [{fromEndpoints: [{matchLabels: {class: xwing}}], toPorts: [{ports: [{port: "80", protocol: TCP}], rules: {http: [{method: GET}]}}]}]');
  const s = state([audited(http)]);
  const into = event({ type: 4, subType: 0, endpointId: 2, srcIdentity: 1002, dstIdentity: 1001, dstPort: 80 });
  t.is(auditFlow(tables(s), into, { verdict: Verdict.FORWARDED, traffic_direction: 1 }), undefined);
  // Its default-deny for other ports is audited.
  t.truthy(auditFlow(tables(s), { ...into, dstPort: 443 }, { verdict: Verdict.FORWARDED, traffic_direction: 1 })?.ingress_denied_by);
});

test('AUDIT flows count in hubble_policy_verdicts_total with action audit', (t) => {
  const s = state([parse(RULE1) as PolicyObject, audited(NO_TIE)]);
  const m = new FlowMetrics('policy');
  m.processFlow(auditFlow(tables(s), event({}), forwarded)!);
  t.deepEqual(m.registry.get('hubble_policy_verdicts_total')?.samples().map((x) => [x.labels, x.value]), [[{ direction: 'ingress', match: 'l3-l4', action: 'audit' }, 1]]);
});
