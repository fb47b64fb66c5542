// Proxy records become Hubble L7 flows that the existing filters and printer handle like any other.
import test from 'ava';
import type { Endpoint, Policy } from '../../../api/types.ts';
import type { FlowContext } from '../../../agent/flows/context.ts';
import { compileFilter } from '../../../api/filter/filter.ts';
import { compactLine } from '../../../api/print/printer.ts';
import { proxyFlow } from '../../../agent/proxy/flows.ts';
import type { ProxyRecord } from '../../../agent/proxy/http-proxy.ts';
import type { PolicyRef } from '../../../agent/policy/types.ts';

const tiefighter: Endpoint = { identity: 16081, namespace: 'default', labels: ['k8s:class=tiefighter', 'k8s:org=empire'], pod_name: 'tiefighter' };
const deathstar: Endpoint = { ID: 7, identity: 16093, namespace: 'default', labels: ['k8s:class=deathstar', 'k8s:org=empire'], pod_name: 'deathstar-1' };
const ctx: FlowContext = {
  nodeName: 'lab-worker',
  endpointByIp: (ip) => ({ '10.1.0.5': tiefighter, '10.1.0.9': deathstar })[ip],
  identityLabels: () => [],
  serviceOf: () => undefined,
  namesOf: () => undefined,
  rule: () => undefined,
  enforcers: () => [],
  interfaceName: () => undefined,
  wallTime: (ns) => ({ seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) }),
};
const POLICY = { kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'rule1' } as const;
const asFlowPolicy = (p: PolicyRef): Policy => ({ kind: p.kind, namespace: p.namespace, name: p.name, revision: 3 });
const input = { direction: 'ingress', clientIdentity: 16081, serverIdentity: 16093, policy: asFlowPolicy, monotonicNs: 1_000_000_000n } as const;

const rec = (o: Partial<ProxyRecord>): ProxyRecord => ({
  type: 'request', verdict: 'dropped', endpoint: 'default/deathstar-1', client: { address: '10.1.0.5', port: 40000 }, server: { address: '10.1.0.9', port: 80 },
  method: 'PUT', url: 'http://deathstar/v1/exhaust-port', protocol: 'HTTP/1.1', policies: [POLICY], ...o,
});

test('a denied request is an L7 http-request flow, DROPPED, naming the policy that denied it', (t) => {
  const f = proxyFlow(rec({}), ctx, input);
  t.like(f, {
    verdict: 2, Type: 2, event_type: { type: 129 }, traffic_direction: 1, is_reply: { value: false },
    source: { pod_name: 'tiefighter' }, destination: { pod_name: 'deathstar-1' },
    l4: { TCP: { source_port: 40000, destination_port: 80 } },
    l7: { type: 1, http: { method: 'PUT', url: 'http://deathstar/v1/exhaust-port', protocol: 'HTTP/1.1' } },
  });
  t.deepEqual(f.ingress_denied_by, [{ kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'rule1', revision: 3 }]);
  t.true(compileFilter({ protocol: ['http'], verdict: [2] })(f));
  t.false(compileFilter({ verdict: [1] })(f));
  t.regex(compactLine(f), /http-request DROPPED \(HTTP\/1\.1 PUT http:\/\/deathstar\/v1\/exhaust-port\)/);
});

test('an answered request is an http-response flow from server to client with code and latency; allowed ones name the allowing policy', (t) => {
  const f = proxyFlow(rec({ type: 'response', verdict: 'forwarded', method: 'POST', url: 'http://deathstar/v1/request-landing', code: 200, latencyNs: 250_000 }), ctx, input);
  t.like(f, {
    verdict: 1, is_reply: { value: true }, source: { pod_name: 'deathstar-1' }, destination: { pod_name: 'tiefighter' },
    IP: { source: '10.1.0.9', destination: '10.1.0.5' }, l4: { TCP: { source_port: 80, destination_port: 40000 } },
    l7: { type: 2, latency_ns: 250_000, http: { code: 200, method: 'POST' } },
  });
  t.deepEqual(f.ingress_allowed_by?.map((p) => p.name), ['rule1']);
  t.true(compileFilter({ http_status_code: ['200'] })(f));
});
