// The one-line summary of a flow, worded as cilium's hubble parsers word the Flow.Summary field
// (pkg/hubble/parser/threefour/parser.go for packets, pkg/hubble/parser/seven/{http,dns}.go for
// L7 records): `TCP Flags: SYN, ACK`, `UDP`, `ICMPv4 EchoRequest`, `HTTP/1.1 GET http://…`,
// `DNS Query example.com. A`. The agent stores it in Flow.Summary (hubble prints that field); the
// printers fall back to it for flows that come without one.
import type { Flow, TCPFlags } from './types.ts';
import { IPVersion, L7FlowType } from './types.ts';
import { dnsRcodeText, icmpTypeCodeName } from './names.ts';

// The order cilium lists the flags in, which is not the order of the header bits.
const FLAG_ORDER: (keyof TCPFlags)[] = ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG', 'ECE', 'CWR', 'NS'];

export function tcpFlagsText(flags: TCPFlags | undefined): string {
  return FLAG_ORDER.filter((f) => flags?.[f]).join(', ');
}

const isPrint = (ch: string): boolean => ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A double-quoted string with Go's escapes (`%q`, strconv.Quote), as the DNS summaries quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isPrint(ch)) out += ch;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2)}`;
    else if (c < 0x10000) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}"`;
}

function httpSummary(flow: Flow): string {
  const l7 = flow.l7 ?? {};
  const h = l7.http ?? {};
  const request = `${h.method ?? ''} ${h.url ?? ''}`;
  if (l7.type === L7FlowType.REQUEST) return `${h.protocol ?? ''} ${request}`;
  if (l7.type === L7FlowType.RESPONSE) {
    return `${h.protocol ?? ''} ${h.code ?? 0} ${Math.floor((l7.latency_ns ?? 0) / 1e6)}ms (${request})`;
  }
  return '';
}

function dnsSummary(flow: Flow): string {
  const l7 = flow.l7 ?? {};
  const d = l7.dns ?? {};
  const qtypes = (d.qtypes ?? []).join(',');
  if (l7.type === L7FlowType.REQUEST) return `DNS Query ${d.query ?? ''} ${qtypes}`;
  if (l7.type !== L7FlowType.RESPONSE) return '';
  const rcode = d.rcode ?? 0;
  let answer: string;
  if (rcode !== 0) answer = `RCode: ${dnsRcodeText(rcode)}`;
  else {
    const parts: string[] = [];
    if (d.ips?.length) parts.push(goQuote(d.ips.join(',')));
    if (d.cnames?.length) parts.push(`CNAMEs: ${goQuote(d.cnames.join(','))}`);
    answer = parts.join(' ');
  }
  const source = d.observation_source === 'proxy' ? 'Proxy' : 'Query';
  return `DNS Answer ${answer} TTL: ${d.ttl ?? 0} (${source} ${d.query ?? ''} ${qtypes})`;
}

/** Packet flows: named after the innermost layer decoded, as gopacket names layers. */
function packetSummary(flow: Flow): string {
  const l4 = flow.l4;
  if (l4?.TCP) return `TCP Flags: ${tcpFlagsText(l4.TCP.flags)}`;
  if (l4?.UDP) return 'UDP';
  if (l4?.SCTP) return 'SCTP';
  if (l4?.ICMPv4) return `ICMPv4 ${icmpTypeCodeName(4, l4.ICMPv4.type, l4.ICMPv4.code)}`;
  if (l4?.ICMPv6) return `ICMPv6 ${icmpTypeCodeName(6, l4.ICMPv6.type, l4.ICMPv6.code)}`;
  if (flow.IP) return flow.IP.ipVersion === IPVersion.IPv6 ? 'IPv6' : 'IPv4';
  if (flow.ethernet) return 'Ethernet';
  return '';
}

/** The summary the hubble parsers would store for this flow, computed from its fields. */
export function flowSummary(flow: Flow): string {
  if (flow.l7) {
    if (flow.l7.http) return httpSummary(flow);
    if (flow.l7.dns) return dnsSummary(flow);
    return '';
  }
  return packetSummary(flow);
}

/** What hubble prints in the SUMMARY column: the flow's Summary field, else the computed one. */
export function printedSummary(flow: Flow): string {
  return flow.Summary || flowSummary(flow);
}
