// Connections view rows: one workload pair x port x protocol with its rates, drops, HTTP golden
// signals and DNS errors. Narrow terminals keep the pair, rates and drops; wide ones show all.
import { dropReasonText } from '../../api/names.ts';
import { latencyPercentile, serverErrorRatio, topDropReason, type ConnectionStat } from '../model/connection-book.ts';
import type { Column } from './columns.ts';
import { compactNumber } from './text.ts';

/** Milliseconds as `0.9ms`, `12ms`, `1.2s`; '-' when unknown. */
export function durationText(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(1)}s`;
}

export function ratioText(r: number | undefined): string {
  return r === undefined ? '-' : `${(r * 100).toFixed(r > 0 && r < 0.1 ? 1 : 0)}%`;
}

/** A row's top drop reason as a short text (`Policy denied`), '' without drops. */
export function topDropText(s: ConnectionStat): string {
  const r = topDropReason(s.row);
  return r === undefined ? '' : dropReasonText(r);
}

export function connectionColumns(): Column<ConnectionStat>[] {
  return [
    { title: 'SOURCE', width: 16, flex: 1, max: 40, text: (s) => s.row.source },
    { title: 'DESTINATION', width: 16, flex: 1, max: 40, text: (s) => s.row.destination },
    { title: 'PORT', width: 10, text: (s) => s.row.port },
    { title: 'FLOWS/S', width: 7, align: 'right', text: (s) => compactNumber(s.flowsPerSecond) },
    { title: 'FLOWS', width: 7, align: 'right', minTotal: 150, text: (s) => compactNumber(s.row.flows) },
    { title: 'DROPS', width: 6, align: 'right', text: (s) => compactNumber(s.row.drops), tone: (s) => (s.row.drops ? 'bad' : undefined) },
    { title: 'TOP DROP REASON', width: 18, flex: 1, max: 28, minTotal: 120, text: topDropText, tone: (s) => (s.row.drops ? 'bad' : undefined) },
    { title: 'HTTP/S', width: 6, align: 'right', text: (s) => (s.row.httpRequests || s.row.httpResponses ? compactNumber(s.httpPerSecond) : '-') },
    { title: '5XX', width: 5, align: 'right', text: (s) => ratioText(serverErrorRatio(s.row)), tone: (s) => (s.row.http5xx ? 'bad' : undefined) },
    { title: 'P50', width: 7, align: 'right', minTotal: 100, text: (s) => durationText(latencyPercentile(s.row, 50)) },
    { title: 'P99', width: 7, align: 'right', minTotal: 100, text: (s) => durationText(latencyPercentile(s.row, 99)) },
    { title: 'DNS ERR', width: 7, align: 'right', minTotal: 100, text: (s) => (s.row.dnsResponses ? compactNumber(s.row.dnsErrors) : '-'), tone: (s) => (s.row.dnsErrors ? 'warn' : undefined) },
  ];
}
