// The detail pane of one flow: the hubble compact line, then every field that is set, as
// `path: value` with enum numbers named (what `hubble observe -o dict` shows, flattened).
import {
  DropReason, FlowType, IPVersion, L7FlowType, TraceObservationPoint, TrafficDirection, Verdict, type Flow,
} from '../../api/types.ts';
import { dropReasonText, enumName } from '../../api/names.ts';
import { compactLine, type TimeOptions } from './flow-text.ts';
import { wrap } from './text.ts';

const ENUMS: Record<string, (v: number) => string> = {
  verdict: (v) => enumName(Verdict, v),
  Type: (v) => enumName(FlowType, v),
  traffic_direction: (v) => enumName(TrafficDirection, v),
  trace_observation_point: (v) => enumName(TraceObservationPoint, v),
  drop_reason_desc: (v) => `${enumName(DropReason, v)} (${dropReasonText(v)})`,
  'IP.ipVersion': (v) => enumName(IPVersion, v),
  'l7.type': (v) => enumName(L7FlowType, v),
};

function isoTime(t: { seconds?: number; nanos?: number }): string {
  const d = new Date((t.seconds ?? 0) * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, `.${String(t.nanos ?? 0).padStart(9, '0')}Z`);
}

export interface DetailLine { key: string; value: string }

/** Every set field of the flow, depth first, in the flow's own field order. */
export function flowFields(f: Flow): DetailLine[] {
  const out: DetailLine[] = [];
  const walk = (v: unknown, path: string): void => {
    if (v === undefined || v === null) return;
    if (path === 'time' || path.endsWith('.first') || path.endsWith('.last')) {
      out.push({ key: path, value: isoTime(v as { seconds?: number; nanos?: number }) });
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return;
      if (v.every((x) => typeof x !== 'object')) out.push({ key: path, value: v.join(', ') });
      else v.forEach((x, i) => walk(x, `${path}[${i}]`));
      return;
    }
    if (typeof v === 'object') {
      const keys = Object.keys(v as object);
      // Wrapper types (BoolValue…) print as their value.
      if (keys.length === 1 && keys[0] === 'value') { walk((v as { value: unknown }).value, path); return; }
      for (const k of keys) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    const named = typeof v === 'number' ? ENUMS[path] : undefined;
    out.push({ key: path, value: named ? named(v as number) : String(v) });
  };
  walk(f, '');
  return out;
}

/** The pane's lines, wrapped to `width` (values continue under their value column); `why` (a drop's explanation) after the summary. */
export function flowDetailLines(f: Flow, opts: TimeOptions = {}, width = Infinity, why: readonly string[] = []): string[] {
  const fields = flowFields(f);
  const keyWidth = Math.min(36, Math.max(...fields.map((l) => l.key.length), 4));
  return [
    ...wrap(compactLine(f, opts), width, 2), '',
    ...(why.length ? [...why.flatMap((l) => wrap(l, width, 4)), ''] : []),
    ...fields.flatMap((l) => wrap(`${l.key.padEnd(keyWidth)}  ${l.value}`, width, keyWidth + 2)),
  ];
}
