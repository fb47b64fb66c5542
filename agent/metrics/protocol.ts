// The `protocol` label value of hubble's flow metrics.
import type { Flow } from '../../api/types.ts';

export function flowProtocol(f: Flow): string {
  if (f.l7) return f.l7.dns ? 'DNS' : f.l7.http ? 'HTTP' : 'Unknown L7';
  const l4 = f.l4;
  if (!l4) return 'Unknown flow';
  if (l4.TCP) return 'TCP';
  if (l4.UDP) return 'UDP';
  if (l4.ICMPv4) return 'ICMPv4';
  if (l4.ICMPv6) return 'ICMPv6';
  if (l4.SCTP) return 'SCTP';
  return 'Unknown L4';
}
