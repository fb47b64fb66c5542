// Flow table rows: time, source, destination, type, verdict, summary; coloured by verdict.
import { Verdict, type Flow } from '../../api/types.ts';
import type { Column } from './columns.ts';
import { destinationText, sourceText, summaryText, timeText, typeText, verdictText, type TimeOptions } from './flow-text.ts';
import type { Tone } from './text.ts';

export function verdictTone(v: number | undefined): Tone | undefined {
  switch (v) {
    case Verdict.FORWARDED: return 'ok';
    case Verdict.DROPPED: case Verdict.ERROR: return 'bad';
    case Verdict.AUDIT: return 'warn';
    case Verdict.REDIRECTED: case Verdict.TRACED: case Verdict.TRANSLATED: return 'info';
    default: return undefined;
  }
}

export function flowColumns(opts: TimeOptions = {}): Column<Flow>[] {
  return [
    // Below 100 columns the milliseconds go: the endpoints need the room more.
    { title: 'TIME', width: 8, maxTotal: 100, text: (f) => timeText(f, opts).slice(0, 8), tone: () => 'muted' },
    { title: 'TIME', width: 12, minTotal: 100, text: (f) => timeText(f, opts), tone: () => 'muted' },
    { title: 'SOURCE', width: 14, flex: 3, max: 48, text: sourceText },
    { title: 'DESTINATION', width: 14, flex: 3, max: 48, text: destinationText },
    { title: 'TYPE', width: 11, flex: 1, max: 26, text: typeText },
    { title: 'VERDICT', width: 10, text: verdictText, tone: (f) => verdictTone(f.verdict) },
    { title: 'SUMMARY', width: 13, flex: 4, text: summaryText },
  ];
}
