// Proxy records as Hubble L7 flows: http-request when a request is judged, http-response when it
// is answered (by the server, or by the proxy's 403), with the verdict, the policies that allowed
// or denied it, method, URL, code and latency. The response flow runs server to client, as
// Hubble reports it.
import { EventType, FlowType, IPVersion, L7FlowType, TrafficDirection, Verdict } from '../../api/types.ts';
import type { Flow, Policy } from '../../api/types.ts';
import { endpoint } from '../flows/convert.ts';
import type { FlowContext } from '../flows/context.ts';
import type { PolicyRef } from '../policy/types.ts';
import type { ProxyRecord } from './http-proxy.ts';

export interface ProxyFlowInput {
  /** The direction of the policy that judged: ingress at the server, egress at the client. */
  readonly direction: 'ingress' | 'egress';
  readonly clientIdentity: number;
  readonly serverIdentity: number;
  readonly policy: (p: PolicyRef) => Policy;
  readonly monotonicNs: bigint;
}

export function proxyFlow(r: ProxyRecord, ctx: FlowContext, x: ProxyFlowInput): Flow {
  const request = r.type === 'request';
  const client = endpoint(ctx, r.client.address, x.clientIdentity);
  const server = endpoint(ctx, r.server.address, x.serverIdentity);
  const ingress = x.direction === 'ingress';
  const f: Flow = {
    time: ctx.wallTime(x.monotonicNs),
    uuid: crypto.randomUUID(),
    verdict: r.verdict === 'forwarded' ? Verdict.FORWARDED : Verdict.DROPPED,
    IP: request ? { source: r.client.address, destination: r.server.address, ipVersion: r.client.address.includes(':') ? IPVersion.IPv6 : IPVersion.IPv4 } : { source: r.server.address, destination: r.client.address, ipVersion: r.client.address.includes(':') ? IPVersion.IPv6 : IPVersion.IPv4 },
    l4: { TCP: request ? { source_port: r.client.port, destination_port: r.server.port } : { source_port: r.server.port, destination_port: r.client.port } },
    source: request ? client : server,
    destination: request ? server : client,
    Type: FlowType.L7,
    node_name: ctx.nodeName,
    event_type: { type: EventType.L7, sub_type: 0 },
    traffic_direction: ingress ? TrafficDirection.INGRESS : TrafficDirection.EGRESS,
    is_reply: { value: !request },
    l7: {
      type: request ? L7FlowType.REQUEST : L7FlowType.RESPONSE,
      ...(r.latencyNs ? { latency_ns: r.latencyNs } : {}),
      http: { method: r.method, url: r.url, protocol: r.protocol, ...(r.code !== undefined ? { code: r.code } : {}) },
    },
  };
  // Both the request and its answer carry the request's trace, as Hubble's proxy flows do.
  if (r.traceId) f.trace_context = { parent: { trace_id: r.traceId } };
  const policies = r.policies.map(x.policy);
  if (policies.length) {
    const field = r.verdict === 'forwarded' ? (ingress ? 'ingress_allowed_by' : 'egress_allowed_by') : ingress ? 'ingress_denied_by' : 'egress_denied_by';
    f[field] = policies;
  }
  return f;
}
