// The one-line summary of a flow, worded as cilium/hubble word it (`TCP Flags: SYN, ACK`, `UDP`,
// `ICMPv4 EchoRequest`, `HTTP/1.1 GET http://…`, `DNS Query example.com. A`). The agent stores it
// in Flow.Summary (older hubble CLIs print that field) and the printers compute it the same way.
import type { Flow, TCPFlags } from './types.ts';
import { L7FlowType } from './types.ts';
import { DNS_RCODE_NAME, icmpTypeCodeName } from './names.ts';

const FLAG_ORDER: (keyof TCPFlags)[] = ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG', 'ECE', 'CWR', 'NS'];

export function tcpFlagsText(flags: TCPFlags | undefined): string {
  return FLAG_ORDER.filter((f) => flags?.[f]).join(', ');
}

function l7Summary(flow: Flow): string | undefined {
  const l7 = flow.l7;
  if (!l7) return undefined;
  if (l7.http) {
    const h = l7.http;
    const request = `${h.method ?? ''} ${h.url ?? ''}`;
    if (l7.type === L7FlowType.RESPONSE) {
      return `${h.protocol ?? ''} ${h.code ?? 0} ${Math.floor((l7.latency_ns ?? 0) / 1e6)}ms (${request})`;
    }
    return `${h.protocol ?? ''} ${request}`;
  }
  if (l7.dns) {
    const d = l7.dns;
    const qtypes = (d.qtypes ?? []).join(',');
    if (l7.type === L7FlowType.RESPONSE) {
      const rcode = d.rcode ?? 0;
      const answer = rcode === 0 ? (d.ips ?? []).join(',') : `RCode: ${DNS_RCODE_NAME[rcode] ?? rcode}`;
      const source = d.observation_source === 'proxy' ? 'Proxy' : 'Query';
      return `DNS Answer ${JSON.stringify(answer)} TTL: ${d.ttl ?? 0} (${source} ${d.query ?? ''} ${qtypes})`;
    }
    return `DNS Query ${d.query ?? ''} ${qtypes}`;
  }
  return undefined;
}

function l4Summary(flow: Flow): string | undefined {
  const l4 = flow.l4;
  if (!l4) return undefined;
  if (l4.TCP) {
    const flags = tcpFlagsText(l4.TCP.flags);
    return flags ? `TCP Flags: ${flags}` : 'TCP';
  }
  if (l4.UDP) return 'UDP';
  if (l4.SCTP) return 'SCTP';
  if (l4.ICMPv4) return `ICMPv4 ${icmpTypeCodeName(4, l4.ICMPv4.type, l4.ICMPv4.code)}`;
  if (l4.ICMPv6) return `ICMPv6 ${icmpTypeCodeName(6, l4.ICMPv6.type, l4.ICMPv6.code)}`;
  return undefined;
}

export function flowSummary(flow: Flow): string {
  return l7Summary(flow) ?? l4Summary(flow) ?? flow.Summary ?? '';
}
