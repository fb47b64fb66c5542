// The probe role's one entry: run the probe a spec describes and report, never throw, so the
// runner always gets a result to judge (a failure is a result too).
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { probeDns } from './dns.ts';
import { probeHttp } from './http.ts';
import { probeIcmp } from './icmp.ts';
import { probeTcp } from './tcp.ts';
import { probeUdp } from './udp.ts';

export function runProbe(spec: ProbeSpec): Promise<ProbeResult> {
  switch (spec.kind) {
    case 'tcp':
      return probeTcp(spec);
    case 'udp':
      return probeUdp(spec);
    case 'http':
      return probeHttp(spec);
    case 'dns':
      return probeDns(spec);
    case 'icmp':
      return probeIcmp(spec);
  }
}

/** The one-line human form, for running the probe by hand. */
export function probeLine(r: ProbeResult): string {
  const detail = r.http ? ` HTTP ${r.http.status}${r.http.hostname ? ` from ${r.http.hostname}` : ''}`
    : r.dns ? ` ${r.dns.rcode} ${r.dns.answers.join(', ')} (server ${r.dns.server})`
    : r.icmp ? ` ${r.icmp.received}/${r.icmp.sent} replies` : '';
  return `${r.ok ? 'ok' : 'failed'}: ${r.kind} ${r.target}${detail}${r.ok ? '' : `: ${r.error ?? r.errorCode}`} (${r.durationMs}ms)`;
}
