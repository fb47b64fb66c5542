// The two header lines: context, nodes, flows/s and lost events; then the view tabs.
import { compactNumber, fit, type Cell, type Theme } from '../render/text.ts';
import { Line, Row } from './row.tsx';
import type { ServerStatusInfo } from '../model/types.ts';

export interface HeaderProps {
  context: string;
  status: ServerStatusInfo | null;
  /** Unavailable nodes seen on the flow stream (node status events), merged with the status. */
  streamUnavailable: readonly string[];
  flowsPerSecond: number;
  lost: number;
  /** Flow-rate and drop warnings (tui/model/warnings.ts), shown after the counters. */
  warnings?: readonly string[];
  tabs: readonly { key: string; title: string; active: boolean }[];
  width: number;
  theme: Theme;
}

export function headerText(p: Omit<HeaderProps, 'tabs' | 'theme'>): string {
  const unavailable = new Set([...(p.status?.unavailableNodes ?? []), ...p.streamUnavailable]);
  const nodes = p.status ? `nodes ${p.status.numConnectedNodes} up ${unavailable.size} down` : 'nodes ?';
  const lost = Math.max(p.lost, p.status?.lost ?? 0);
  const warn = p.warnings?.length ? ` │ ${p.warnings.join(' │ ')}` : '';
  return ` netobs │ ctx ${p.context} │ ${nodes} │ flows/s ${compactNumber(p.flowsPerSecond)} │ lost ${compactNumber(lost)}${warn}`;
}

export function Header(p: HeaderProps) {
  const unavailable = (p.status?.unavailableNodes.length ?? 0) + p.streamUnavailable.length > 0;
  const lost = Math.max(p.lost, p.status?.lost ?? 0) > 0 || (p.warnings?.length ?? 0) > 0;
  const help = ' ?:help q:quit';
  const tabs: Cell[] = p.tabs.map((t) => {
    const accent = t.active ? p.theme.tone('accent') : undefined;
    return { text: ` ${t.key} ${t.title} `, ...(t.active ? { inverse: true, bold: true } : {}), ...(accent ? { color: accent } : {}) };
  });
  const used = tabs.reduce((a, t) => a + t.text.length, 0);
  const muted = p.theme.tone('muted');
  return (
    <>
      <Line text={fit(headerText(p), p.width)} tone={unavailable || lost ? 'warn' : 'accent'} theme={p.theme} bold />
      <Row cells={[...tabs, { text: fit(help, Math.max(0, p.width - used), 'right'), ...(muted ? { color: muted } : {}) }]} />
    </>
  );
}
