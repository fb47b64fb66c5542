// L4 rules to (protocol, port prefix) keys of the policy map. A range becomes the few aligned port
// blocks that tile it (at most 31, whatever its width); ANY with a port becomes TCP, UDP and SCTP,
// because a port only means something for those; named ports resolve against the destination
// pod's container ports (passed in by the caller, who knows which pod that is).
import { portPrefixes, PROTO } from './entries.ts';
import type { DnsRule, HttpRule, L4Rule, Protocol } from './types.ts';
import type { NamedPort } from './views.ts';

export interface L4Key {
  readonly protocol: number;
  readonly port: number;
  /** 0 = every port, 16 = exactly `port` (see PolicyEntry). */
  readonly portBits: number;
  readonly l7?: 'http' | 'dns';
  /** HTTP rules the proxy enforces on this port; absent when the port is a plain allow (or `http: [{}]`). */
  readonly http?: readonly HttpRule[];
  /** DNS rules on this port (a `matchPattern: "*"` among them allows every name); on egress the DNS proxy judges them and learns the answers. */
  readonly dns?: readonly DnsRule[];
}

const NUMBER: Record<Exclude<Protocol, 'ANY'>, number> = { TCP: PROTO.tcp, UDP: PROTO.udp, SCTP: PROTO.sctp };
const PORT_PROTOCOLS = [PROTO.tcp, PROTO.udp, PROTO.sctp];

export function usesNamedPorts(l4: readonly L4Rule[] | 'any'): boolean {
  return l4 !== 'any' && l4.some((r) => r.kind === 'port' && typeof r.port === 'string');
}

function l7Of(r: L4Rule): 'http' | 'dns' | undefined {
  if (r.kind !== 'port' || !r.l7) return undefined;
  return r.l7.http ? 'http' : r.l7.dns ? 'dns' : undefined;
}

/** The map keys of an L4 section; `named` are the ports of the destination (empty if unknown). */
export function resolveL4(l4: readonly L4Rule[] | 'any', named: readonly NamedPort[] = []): L4Key[] {
  if (l4 === 'any') return [{ protocol: PROTO.any, port: 0, portBits: 0 }];
  const out: L4Key[] = [];
  let http: readonly HttpRule[] | undefined;
  let dns: readonly DnsRule[] | undefined;
  const push = (protocol: number, port: number, portBits: number, l7: 'http' | 'dns' | undefined) => out.push(l7 ? {
    protocol, port, portBits, l7,
    ...(http && l7 === 'http' && protocol === PROTO.tcp && { http }),
    ...(dns && l7 === 'dns' && { dns }),
  } : { protocol, port, portBits });
  for (const r of l4) {
    if (r.kind === 'icmp') {
      push(r.family === 4 ? PROTO.icmp : PROTO.icmpv6, r.type, 16, undefined);
      continue;
    }
    const l7 = l7Of(r);
    // A list with a rule matching everything allows what the port allows: no proxy needed.
    http = r.kind === 'port' && r.l7?.http && !r.l7.http.some((h) => Object.keys(h).length === 0) ? r.l7.http : undefined;
    dns = r.kind === 'port' ? r.l7?.dns : undefined;
    if (typeof r.port === 'string') {
      for (const np of named) {
        if (np.name === r.port && (r.protocol === 'ANY' || np.protocol === r.protocol)) push(NUMBER[np.protocol], np.port, 16, l7);
      }
      continue;
    }
    if (r.port === 0) {
      push(r.protocol === 'ANY' ? PROTO.any : NUMBER[r.protocol], 0, 0, l7);
      continue;
    }
    // HTTP rules speak of TCP only, DNS rules of UDP and TCP: with protocol ANY, the other
    // protocols of the port are not allowed.
    const protos = r.protocol === 'ANY' ? (http ? [PROTO.tcp] : dns ? [PROTO.udp, PROTO.tcp] : PORT_PROTOCOLS) : [NUMBER[r.protocol]];
    for (const [port, bits] of portPrefixes(r.port, r.endPort ?? r.port)) for (const p of protos) push(p, port, bits, l7);
  }
  return out;
}
