// The words of a flow in the table cells, from the same printer as `kubectl netobs observe`
// (api/print), so the UI and the command read alike: hosts, type, verdict (ALLOWED/DENIED for
// policy verdicts), summary, and the compact line of the detail pane.
import type { Flow } from '../../api/types.ts';
import { printedSummary } from '../../api/summary.ts';
import { Colorer } from '../../api/print/color.ts';
import { flowType, formatVerdict, hostNames } from '../../api/print/format.ts';
import { compactLine as printerCompactLine } from '../../api/print/printer.ts';

export interface TimeOptions { utc?: boolean }

const plain = new Colorer(false);

/** `HH:MM:SS.mmm` of the flow time (local unless utc). */
export function timeText(f: Flow, opts: TimeOptions = {}): string {
  if (!f.time) return '';
  const d = new Date((f.time.seconds ?? 0) * 1000 + Math.floor((f.time.nanos ?? 0) / 1e6));
  const [h, m, s] = opts.utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  const ms = opts.utc ? d.getUTCMilliseconds() : d.getMilliseconds();
  return `${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(ms).padStart(3, '0')}`;
}

function pad2(n: number): string { return String(n).padStart(2, '0'); }

/** `ns/pod:port`, `ns/svc:port`, DNS names or the IP, as hubble prints hosts. */
export function sourceText(f: Flow): string { return hostNames(f, plain)[0]; }
export function destinationText(f: Flow): string { return hostNames(f, plain)[1]; }

/** Observation point, drop reason, `policy-verdict:L3-L4 INGRESS`, `http-request`… */
export function typeText(f: Flow): string { return flowType(f).trimEnd(); }

export function verdictText(f: Flow): string { return formatVerdict(f, plain); }

export function summaryText(f: Flow): string { return printedSummary(f); }

/** hubble's compact line with the node name, for the detail pane's first line. */
export function compactLine(f: Flow, opts: TimeOptions = {}): string {
  return printerCompactLine(f, { nodeName: true, localTime: !opts.utc }).trimEnd();
}
