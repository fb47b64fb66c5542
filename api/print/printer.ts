// hubble `observe` outputs for GetFlowsResponse streams, as hubble/pkg/printer/printer.go writes
// them: compact (one line per flow), dict (a block per flow), table (aligned columns, written at
// close, so not for --follow), json/jsonpb (one GetFlowsResponse per line). Lost events print in
// every format; node status changes go to the error stream (only failures, unless debug).
import type { Flow, GetFlowsResponse, LostEvent, NodeStatusEvent } from '../types.ts';
import { LostEventSource, NodeState } from '../types.ts';
import { enumName } from '../names.ts';
import { goQuote, printedSummary } from '../summary.ts';
import { Colorer, escapeTerminal } from './color.ts';
import { flowType, formatIdentity, formatVerdict, hostNames } from './format.ts';
import { jsonLine } from './json-line.ts';
import { tabwrite } from './tabwriter.ts';
import { formatTimestamp } from './time-format.ts';

export { jsonLine } from './json-line.ts';

export const OUTPUT_FORMATS = ['compact', 'dict', 'json', 'jsonpb', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface PrintOptions {
  /** Print the node name (`[node]` in compact, a NODE field or column elsewhere). */
  nodeName?: boolean;
  /** Colour hosts, ports, identities and verdicts in compact and dict (never in table or JSON). */
  color?: boolean;
  /** hubble's --time-format name (StampMilli, RFC3339, RFC3339Nano…); StampMilli by default. */
  timeFormat?: string;
  /** Local time instead of UTC. hubble always prints UTC, which is the default here too. */
  localTime?: boolean;
  /** Accepted for older callers and ignored: times are UTC unless localTime is set. */
  utc?: boolean;
  /** Names instead of IPs (pod, service, DNS name); hubble's --ip-translation, on by default. */
  ipTranslation?: boolean;
  /** Append the policies that allowed or denied a policy verdict (`ALLOWED BY name (Kind)`), hubble's --print-policy-names. */
  policyNames?: boolean;
  /** Also print informational node status events (connected, gone), as hubble --debug does. */
  debug?: boolean;
}

const DICT_SEPARATOR = '------------';
const NODE_NAMES_CUT_OFF = 50;

function time(o: PrintOptions, ts: Parameters<typeof formatTimestamp>[0]): string {
  return formatTimestamp(ts, o.timeFormat, o.localTime ?? false);
}

const colorer = (o: PrintOptions): Colorer => new Colorer(o.color ?? false);

export function compactLine(flow: Flow, o: PrintOptions = {}): string {
  const c = colorer(o);
  let [src, dst] = hostNames(flow, c, o.ipTranslation ?? true);
  let [srcId, dstId] = [formatIdentity(flow.source?.identity, c), formatIdentity(flow.destination?.identity, c)];
  let arrow = '->';
  if (flow.is_reply === undefined) arrow = '<>'; // the datapath does not know the direction
  else if (flow.is_reply.value) {
    // Replies are printed with their ends swapped and the arrow turned, so that one connection
    // always reads client first.
    [src, dst, srcId, dstId, arrow] = [dst, src, dstId, srcId, '<-'];
  }
  const node = o.nodeName ? ` [${flow.node_name ?? ''}]` : '';
  return escapeTerminal(`${time(o, flow.time)}${node}: ${src} ${srcId} ${arrow} ${dst} ${dstId} ${flowType(flow)} ${formatVerdict(flow, c, o.policyNames)} (${printedSummary(flow)})\n`);
}

export function dictBlock(flow: Flow, o: PrintOptions = {}): string {
  const c = colorer(o);
  const [src, dst] = hostNames(flow, c, o.ipTranslation ?? true);
  return escapeTerminal([
    `  TIMESTAMP: ${time(o, flow.time)}`,
    ...(o.nodeName ? [`       NODE: ${flow.node_name ?? ''}`] : []),
    `     SOURCE: ${src}`,
    `DESTINATION: ${dst}`,
    `       TYPE: ${flowType(flow)}`,
    `    VERDICT: ${formatVerdict(flow, c, o.policyNames)}`,
    `    SUMMARY: ${printedSummary(flow)}`,
  ].join('\n') + '\n');
}

const lostSource = (l: LostEvent): string => enumName(LostEventSource, l.source);
const lostSummary = (l: LostEvent): string => `CPU(${l.cpu?.value ?? 0}) - ${l.num_events_lost ?? 0}`;

export function lostLine(l: LostEvent): string {
  return escapeTerminal(`EVENTS LOST: ${lostSource(l)} CPU(${l.cpu?.value ?? 0}) ${l.num_events_lost ?? 0}\n`);
}

function lostDict(l: LostEvent, o: PrintOptions): string {
  return escapeTerminal([
    '  TIMESTAMP: ',
    ...(o.nodeName ? ['       NODE: '] : []),
    `     SOURCE: ${lostSource(l)}`,
    '       TYPE: EVENTS LOST',
    '    VERDICT: ',
    `    SUMMARY: ${lostSummary(l)}`,
  ].join('\n') + '\n');
}

/** Node names joined with `, `, leaving out those past about `limit` characters (` (and N more)`). */
export function joinWithCutOff(names: readonly string[], sep: string, limit: number): string {
  let len = 0;
  let end = names.length;
  for (let i = 0; i < names.length; i++) {
    len += (names[i] ?? '').length + sep.length;
    if (len > limit && i > 0) {
      end = i;
      break;
    }
  }
  const joined = names.slice(0, end).join(sep);
  return end === names.length ? joined : `${joined} (and ${names.length - end} more)`;
}

/** Whether hubble shows a node status event: failures always, the rest only with debug. */
export function showsNodeStatus(s: NodeStatusEvent, o: PrintOptions = {}): boolean {
  const state = s.state_change ?? NodeState.UNKNOWN_NODE_STATE;
  return (o.debug ?? false) || state === NodeState.NODE_ERROR || state === NodeState.NODE_UNAVAILABLE;
}

/** The compact/table line of a node status event (for the error stream). */
export function nodeStatusLine(res: GetFlowsResponse, o: PrintOptions = {}): string {
  const s = res.node_status ?? {};
  const names = s.node_names ?? [];
  const joined = joinWithCutOff(names, ', ', NODE_NAMES_CUT_OFF);
  const prefix = `${time(o, res.time)} [${res.node_name ?? ''}]`;
  let msg: string;
  switch (s.state_change ?? NodeState.UNKNOWN_NODE_STATE) {
    case NodeState.NODE_CONNECTED: msg = `Receiving flows from ${names.length} nodes: ${joined}`; break;
    case NodeState.NODE_UNAVAILABLE: msg = `${names.length} nodes are unavailable: ${joined}`; break;
    case NodeState.NODE_GONE: msg = `${names.length} nodes removed from cluster: ${joined}`; break;
    case NodeState.NODE_ERROR: msg = `Error ${goQuote(s.message ?? '')} on ${names.length} nodes: ${joined}`; break;
    default: msg = `unknown node status event: ${JSON.stringify(s)}`;
  }
  return escapeTerminal(`${prefix}: ${msg}\n`);
}

function nodeStatusDict(res: GetFlowsResponse, o: PrintOptions): string {
  const s = res.node_status ?? {};
  return escapeTerminal([
    `  TIMESTAMP: ${time(o, res.time)}`,
    `      STATE: ${enumName(NodeState, s.state_change)}`,
    `      NODES: ${joinWithCutOff(s.node_names ?? [], ', ', NODE_NAMES_CUT_OFF)}`,
    `    MESSAGE: ${s.message ? goQuote(s.message) : 'N/A'}`,
  ].join('\n') + '\n');
}

export interface PrinterSinks { out: (text: string) => void; err?: (text: string) => void }

/** Prints a stream of responses in one format; call close() at the end (the table prints then). */
export class FlowPrinter {
  private line = 0;
  private table = '';

  constructor(readonly format: OutputFormat, readonly sinks: PrinterSinks, readonly options: PrintOptions = {}) {}

  private err(text: string): void {
    (this.sinks.err ?? this.sinks.out)(text);
  }

  write(res: GetFlowsResponse): void {
    if (res.flow) this.writeFlow(res, res.flow);
    else if (res.lost_events) this.writeLost(res, res.lost_events);
    else if (res.node_status) this.writeNodeStatus(res, res.node_status);
  }

  private writeFlow(res: GetFlowsResponse, flow: Flow): void {
    const o = this.options;
    switch (this.format) {
      case 'json': case 'jsonpb': return this.sinks.out(jsonLine(res));
      case 'compact': this.sinks.out(compactLine(flow, o)); break;
      case 'dict': this.sinks.out((this.line > 0 ? `${DICT_SEPARATOR}\n` : '') + dictBlock(flow, o)); break;
      case 'table': {
        const plain = { ...o, color: false }; // hubble turns colours off for the tab writer
        const c = colorer(plain);
        const [src, dst] = hostNames(flow, c, o.ipTranslation ?? true);
        this.row([time(o, flow.time), ...(o.nodeName ? [flow.node_name ?? ''] : []), src, dst, flowType(flow), formatVerdict(flow, c, o.policyNames), printedSummary(flow)]);
        break;
      }
    }
    this.line++;
  }

  private writeLost(res: GetFlowsResponse, lost: LostEvent): void {
    const o = this.options;
    switch (this.format) {
      case 'json': case 'jsonpb': return this.sinks.out(jsonLine(res));
      case 'compact': this.sinks.out(lostLine(lost)); break;
      case 'dict': this.sinks.out((this.line > 0 ? `${DICT_SEPARATOR}\n` : '') + lostDict(lost, o)); break;
      case 'table': this.row(['', ...(o.nodeName ? [''] : []), lostSource(lost), '', 'EVENTS LOST', '', lostSummary(lost)]); break;
    }
    this.line++;
  }

  private writeNodeStatus(res: GetFlowsResponse, s: NodeStatusEvent): void {
    const o = this.options;
    if (!showsNodeStatus(s, o)) return;
    switch (this.format) {
      case 'json': case 'jsonpb': return this.err(jsonLine(res));
      case 'dict':
        // The separator keeps blocks apart when stdout and stderr share a terminal.
        if (this.line > 0) this.err(`${DICT_SEPARATOR}\n`);
        else this.line++;
        return this.err(nodeStatusDict(res, o));
      default: return this.err(nodeStatusLine(res, o));
    }
  }

  /** A table row; the header goes before the first one. */
  private row(cells: string[]): void {
    if (this.line === 0) this.table += `${['TIMESTAMP', ...(this.options.nodeName ? ['NODE'] : []), 'SOURCE', 'DESTINATION', 'TYPE', 'VERDICT', 'SUMMARY'].join('\t')}\n`;
    this.table += escapeTerminal(`${cells.join('\t')}\n`);
  }

  close(): void {
    if (this.format === 'table' && this.table) this.sinks.out(tabwrite(this.table));
    this.table = '';
  }
}
