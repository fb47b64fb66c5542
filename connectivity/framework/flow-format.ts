// One line per flow for failure details: enough to see who talked to whom and what the datapath
// decided, in the words hubble prints (verdict, drop reason text, TCP flags, denying policy).
import { Verdict, type Flow, type Endpoint } from '../../api/types.ts';
import { dropReasonText, enumName } from '../../api/names.ts';

function hostPort(ip: string | undefined, port: number | undefined, ep: Endpoint | undefined): string {
  const who = ep?.pod_name ? `${ep.namespace ? `${ep.namespace}/` : ''}${ep.pod_name}` : (ip ?? '?');
  return port ? `${who}:${port}` : who;
}

function l4Summary(f: Flow): { sport?: number; dport?: number; text: string } {
  const l4 = f.l4;
  if (l4?.TCP) {
    const flags = Object.entries(l4.TCP.flags ?? {}).filter(([, v]) => v).map(([k]) => k);
    return { sport: l4.TCP.source_port, dport: l4.TCP.destination_port, text: `TCP Flags: ${flags.join(', ') || 'none'}` };
  }
  if (l4?.UDP) return { sport: l4.UDP.source_port, dport: l4.UDP.destination_port, text: 'UDP' };
  if (l4?.ICMPv4) return { text: `ICMPv4 type ${l4.ICMPv4.type ?? 0}` };
  if (l4?.ICMPv6) return { text: `ICMPv6 type ${l4.ICMPv6.type ?? 0}` };
  return { text: '' };
}

function l7Summary(f: Flow): string | undefined {
  const h = f.l7?.http;
  if (h) return `HTTP ${h.method ?? ''} ${h.url ?? ''}${h.code ? ` ${h.code}` : ''}`.trim();
  const d = f.l7?.dns;
  if (d) return `DNS ${d.query ?? ''}${d.ips?.length ? ` -> ${d.ips.join(',')}` : ''}`;
  return undefined;
}

function clock(f: Flow): string {
  const ms = (f.time?.seconds ?? 0) * 1000 + Math.floor((f.time?.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString().slice(11, 23);
}

export function flowLine(f: Flow): string {
  const l4 = l4Summary(f);
  const src = hostPort(f.IP?.source, l4.sport, f.source);
  const dst = hostPort(f.IP?.destination, l4.dport, f.destination);
  const verdict = enumName(Verdict, f.verdict);
  const reason = f.verdict === Verdict.DROPPED ? ` ${dropReasonText(f.drop_reason_desc)}` : '';
  const deniedBy = [...(f.ingress_denied_by ?? []), ...(f.egress_denied_by ?? [])].map((p) => p.name).filter(Boolean);
  const denied = deniedBy.length ? ` denied by ${deniedBy.join(', ')}` : '';
  const node = f.node_name ? ` ${f.node_name}` : '';
  return `${clock(f)}${node}: ${src} -> ${dst} ${verdict}${reason} (${l7Summary(f) ?? l4.text})${denied}`;
}
