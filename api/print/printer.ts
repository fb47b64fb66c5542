// hubble `observe` outputs for GetFlowsResponse streams: compact (one line per flow), dict (a
// block per flow), table (aligned columns, written at close, so not for --follow), json/jsonpb
// (one GetFlowsResponse per line, proto field names). Lost events print as such; node status
// changes other than "connected" go to the error stream.
import type { Flow, GetFlowsResponse, LostEvent, NodeStatusEvent } from '../types.ts';
import { LostEventSource, NodeState } from '../types.ts';
import { enumName } from '../names.ts';
import { toProtoJson } from '../json.ts';
import { flowSummary } from '../summary.ts';
import { flowType, formatIdentity, formatTime, formatVerdict, hostNames } from './format.ts';
import { alignColumns } from './tabwriter.ts';

export const OUTPUT_FORMATS = ['compact', 'dict', 'json', 'jsonpb', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface PrintOptions {
  /** Print the node name (`[node]` in compact, a NODE field or column elsewhere). */
  nodeName?: boolean;
  /** Colour the verdict (callers decide: a TTY without NO_COLOR). */
  color?: boolean;
  /** Times in UTC instead of local time. */
  utc?: boolean;
}

export function compactLine(flow: Flow, o: PrintOptions = {}): string {
  let [src, dst] = hostNames(flow);
  let [srcId, dstId] = [formatIdentity(flow.source?.identity), formatIdentity(flow.destination?.identity)];
  let arrow = '->';
  if (flow.is_reply === undefined) arrow = '<>';
  else if (flow.is_reply.value) {
    // Replies are printed client first, with the arrow turned: one connection reads one way.
    [src, dst, srcId, dstId, arrow] = [dst, src, dstId, srcId, '<-'];
  }
  const node = o.nodeName ? ` [${flow.node_name ?? ''}]` : '';
  return `${formatTime(flow.time, o.utc ?? false)}${node}: ${src} ${srcId} ${arrow} ${dst} ${dstId} ${flowType(flow)} ${formatVerdict(flow, o.color ?? false)} (${flowSummary(flow)})\n`;
}

export function dictBlock(flow: Flow, o: PrintOptions = {}): string {
  const [src, dst] = hostNames(flow);
  return [
    `  TIMESTAMP: ${formatTime(flow.time, o.utc ?? false)}`,
    ...(o.nodeName ? [`       NODE: ${flow.node_name ?? ''}`] : []),
    `     SOURCE: ${src}`,
    `DESTINATION: ${dst}`,
    `       TYPE: ${flowType(flow)}`,
    `    VERDICT: ${formatVerdict(flow, o.color ?? false)}`,
    `    SUMMARY: ${flowSummary(flow)}`,
  ].join('\n') + '\n';
}

export function tableHeader(o: PrintOptions = {}): string[] {
  return ['TIMESTAMP', ...(o.nodeName ? ['NODE'] : []), 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'];
}

export function tableRow(flow: Flow, o: PrintOptions = {}): string[] {
  const [src, dst] = hostNames(flow);
  return [
    formatTime(flow.time, o.utc ?? false), ...(o.nodeName ? [flow.node_name ?? ''] : []), src, dst, flowType(flow),
    formatVerdict(flow, o.color ?? false), flowSummary(flow),
  ];
}

const lostSource = (l: LostEvent): string => enumName(LostEventSource, l.source);

export function lostLine(l: LostEvent): string {
  return `EVENTS LOST: ${lostSource(l)} CPU(${l.cpu?.value ?? 0}) ${l.num_events_lost ?? 0}\n`;
}

export function jsonLine(res: GetFlowsResponse): string {
  return `${JSON.stringify(toProtoJson('observer.GetFlowsResponse', res))}\n`;
}

export function nodeStatusLine(s: NodeStatusEvent): string | undefined {
  if ((s.state_change ?? 0) === NodeState.NODE_CONNECTED) return undefined;
  return `${enumName(NodeState, s.state_change)}: ${(s.node_names ?? []).join(', ')}: ${s.message || 'N/A'}\n`;
}

export interface PrinterSinks { out: (text: string) => void; err?: (text: string) => void }

/** Prints a stream of responses in one format; call close() at the end (the table prints then). */
export class FlowPrinter {
  private count = 0;
  private rows: string[][] = [];

  constructor(readonly format: OutputFormat, readonly sinks: PrinterSinks, readonly options: PrintOptions = {}) {}

  write(res: GetFlowsResponse): void {
    const o = this.options;
    if (this.format === 'json' || this.format === 'jsonpb') return this.sinks.out(jsonLine(res));
    if (res.node_status) {
      const line = nodeStatusLine(res.node_status);
      if (line) (this.sinks.err ?? this.sinks.out)(line);
      return;
    }
    const flow = res.flow;
    const lost = res.lost_events;
    if (!flow && !lost) return;
    switch (this.format) {
      case 'compact':
        return this.sinks.out(flow ? compactLine(flow, o) : lostLine(lost as LostEvent));
      case 'dict': {
        const sep = this.count++ > 0 ? '------------\n' : '';
        if (flow) return this.sinks.out(sep + dictBlock(flow, o));
        const l = lost as LostEvent;
        return this.sinks.out(`${sep}  TIMESTAMP: ${formatTime(res.time, o.utc ?? false)}\n     SOURCE: ${lostSource(l)}\n       TYPE: EVENTS LOST\n    SUMMARY: CPU(${l.cpu?.value ?? 0}) - ${l.num_events_lost ?? 0}\n`);
      }
      case 'table':
        if (this.rows.length === 0) this.rows.push(tableHeader(o));
        if (flow) this.rows.push(tableRow(flow, o));
        else this.rows.push(['EVENTS LOST:', lostSource(lost as LostEvent), `CPU(${lost?.cpu?.value ?? 0})`, String(lost?.num_events_lost ?? 0)]);
        return;
    }
  }

  close(): void {
    if (this.format === 'table' && this.rows.length > 0) this.sinks.out(alignColumns(this.rows));
    this.rows = [];
  }
}
