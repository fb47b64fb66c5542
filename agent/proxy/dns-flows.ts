// DNS proxy records as Hubble L7 flows: dns-request when a query is judged, dns-response when it
// is answered (by the server, or by the proxy's REFUSED), with the verdict and the egress policies
// that allowed or denied it. The response runs server to client, as Hubble reports it.
import { EventType, FlowType, IPVersion, TrafficDirection, Verdict } from '../../api/types.ts';
import type { Flow, Policy } from '../../api/types.ts';
import { endpoint } from '../flows/convert.ts';
import type { FlowContext } from '../flows/context.ts';
import { dnsLayer7 } from '../flows/l7-records.ts';
import type { PolicyRef } from '../policy/types.ts';
import type { DnsProxyRecord } from './dns-proxy.ts';

export interface DnsFlowInput {
  readonly clientIdentity: number;
  readonly serverIdentity: number;
  readonly policy: (p: PolicyRef) => Policy;
  readonly monotonicNs: bigint;
}

export function dnsProxyFlow(r: DnsProxyRecord, ctx: FlowContext, x: DnsFlowInput): Flow {
  const request = r.type === 'request';
  const client = endpoint(ctx, r.client.address, x.clientIdentity);
  const server = endpoint(ctx, r.server.address, x.serverIdentity);
  const [src, dst] = request ? [r.client, r.server] : [r.server, r.client];
  const f: Flow = {
    time: ctx.wallTime(x.monotonicNs),
    uuid: crypto.randomUUID(),
    verdict: r.verdict === 'forwarded' ? Verdict.FORWARDED : Verdict.DROPPED,
    IP: { source: src.address, destination: dst.address, ipVersion: src.address.includes(':') ? IPVersion.IPv6 : IPVersion.IPv4 },
    l4: { UDP: { source_port: src.port, destination_port: dst.port } },
    source: request ? client : server,
    destination: request ? server : client,
    Type: FlowType.L7,
    node_name: ctx.nodeName,
    event_type: { type: EventType.L7, sub_type: 0 },
    traffic_direction: TrafficDirection.EGRESS,
    is_reply: { value: !request },
    l7: dnsLayer7(r.message, r.latencyNs ?? 0),
  };
  const policies = r.policies.map(x.policy);
  if (policies.length) f[r.verdict === 'forwarded' ? 'egress_allowed_by' : 'egress_denied_by'] = policies;
  return f;
}
