// Policy verdict rows: per policy or per endpoint pair, allowed and denied counts.
import type { VerdictRow } from '../model/verdict-book.ts';
import type { Column } from './columns.ts';
import { compactNumber } from './text.ts';

export function verdictColumns(keyTitle: string): Column<VerdictRow>[] {
  return [
    { title: keyTitle, width: 24, flex: 1, text: (r) => r.key },
    { title: 'PORT', width: 9, text: (r) => r.lastPort },
    { title: 'ALLOWED', width: 8, align: 'right', text: (r) => compactNumber(r.allowed), tone: (r) => (r.allowed ? 'ok' : undefined) },
    { title: 'DENIED', width: 8, align: 'right', text: (r) => compactNumber(r.denied), tone: (r) => (r.denied ? 'bad' : undefined) },
  ];
}
