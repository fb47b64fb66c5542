// The "why" of a dropped flow in its detail pane: the explain request a flow stands for, and the
// explanation as lines (api/status/explain.ts formats it as `policy explain` prints it).
import { formatExplanation, type PolicyExplanation } from '../../api/status/explain.ts';
import { Verdict, type Endpoint, type Flow } from '../../api/types.ts';
import type { ExplainRequest } from '../model/types.ts';

const side = (e: Endpoint | undefined, ip: string | undefined): string | undefined =>
  e?.pod_name && e.namespace ? `${e.namespace}/${e.pod_name}` : ip ?? (e?.identity ? String(e.identity) : undefined);

/** The connection a dropped flow belongs to, as explain takes it; undefined for other flows. */
export function explainRequest(f: Flow): ExplainRequest | undefined {
  if (f.verdict !== Verdict.DROPPED) return undefined;
  // A reply's drop is judged on its connection: swap the ends back.
  const reply = f.is_reply?.value === true;
  const [a, b] = reply ? [f.destination, f.source] : [f.source, f.destination];
  const [ia, ib] = reply ? [f.IP?.destination, f.IP?.source] : [f.IP?.source, f.IP?.destination];
  const l4 = f.l4;
  const ports = l4?.TCP ?? l4?.UDP ?? l4?.SCTP;
  const [protocol, port] = l4?.TCP ? ['TCP', ports?.destination_port] : l4?.UDP ? ['UDP', ports?.destination_port] : l4?.SCTP ? ['SCTP', ports?.destination_port]
    : l4?.ICMPv4 ? ['ICMP', l4.ICMPv4.type] : l4?.ICMPv6 ? ['ICMPv6', l4.ICMPv6.type] : [undefined, undefined];
  const src = side(a, ia);
  const dst = side(b, ib);
  if (!src || !dst || !protocol || port === undefined) return undefined;
  return { src, dst, port: reply && ports ? ports.source_port ?? port : port, protocol };
}

export function explanationLines(e: PolicyExplanation): string[] {
  return formatExplanation(e).trimEnd().split('\n');
}
