// Values of the observe filter flags → FlowFilter values, with errors naming the flag and value.
import type { EventTypeFilter, TCPFlags, Workload } from '../types.ts';
import { EVENT_TYPE_NAME, TRACE_POINT_NAME, enumValue, reservedIdentity } from '../names.ts';
import { FilterError } from './filter-match.ts';

export function enumArg(flag: string, e: Readonly<Record<string, number>>, value: string): number {
  const v = enumValue(e, value);
  if (v === undefined) throw new FilterError(`observe: --${flag} ${JSON.stringify(value)}: unknown value (one of ${Object.keys(e).join(', ')})`);
  return v;
}

export function identityArg(flag: string, value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const id = reservedIdentity(value);
  if (id === undefined) throw new FilterError(`observe: --${flag} ${JSON.stringify(value)}: not a number or reserved identity name (world, host, …)`);
  return id;
}

export function typeArg(value: string): EventTypeFilter {
  const [name = '', sub] = value.split(':', 2);
  const type = EVENT_TYPE_NAME[name] ?? (/^\d+$/.test(name) ? Number(name) : undefined);
  if (type === undefined) throw new FilterError(`observe: --type ${JSON.stringify(value)}: unknown event type (one of ${Object.keys(EVENT_TYPE_NAME).join(', ')})`);
  if (sub === undefined) return { type };
  const named = type === EVENT_TYPE_NAME.trace ? Object.entries(TRACE_POINT_NAME).find(([, n]) => n === sub)?.[0] : undefined;
  const subType = named ?? (/^\d+$/.test(sub) ? sub : undefined);
  if (subType === undefined) throw new FilterError(`observe: --type ${JSON.stringify(value)}: unknown subtype (a number, or a trace point such as to-endpoint)`);
  return { type, match_sub_type: true, sub_type: Number(subType) };
}

export function tcpFlagsArg(value: string): TCPFlags {
  const flags: TCPFlags = {};
  for (const raw of value.split(',')) {
    const name = raw.trim().toUpperCase();
    if (!['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'].includes(name)) {
      throw new FilterError(`observe: --tcp-flags ${JSON.stringify(value)}: unknown flag ${JSON.stringify(raw)} (SYN, ACK, FIN, RST, PSH, URG, ECE, CWR, NS)`);
    }
    flags[name as keyof TCPFlags] = true;
  }
  return flags;
}

export function workloadArg(value: string): Workload {
  const i = value.indexOf('/');
  return i < 0 ? { name: value } : { kind: value.slice(0, i), name: value.slice(i + 1) };
}
