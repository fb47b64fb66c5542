// The two header lines: context, nodes, flows/s and lost events; then the view tabs.
import { Text } from 'ink';
import { compactNumber, fit, type Theme } from '../render/text.ts';
import type { ServerStatusInfo } from '../model/types.ts';

export interface HeaderProps {
  context: string;
  status: ServerStatusInfo | null;
  /** Unavailable nodes seen on the flow stream (node status events), merged with the status. */
  streamUnavailable: readonly string[];
  flowsPerSecond: number;
  lost: number;
  tabs: readonly { key: string; title: string; active: boolean }[];
  width: number;
  theme: Theme;
}

export function headerText(p: Omit<HeaderProps, 'tabs' | 'theme'>): string {
  const unavailable = new Set([...(p.status?.unavailableNodes ?? []), ...p.streamUnavailable]);
  const nodes = p.status ? `nodes ${p.status.numConnectedNodes} up ${unavailable.size} down` : 'nodes ?';
  const lost = Math.max(p.lost, p.status?.lost ?? 0);
  return ` netobs │ ctx ${p.context} │ ${nodes} │ flows/s ${compactNumber(p.flowsPerSecond)} │ lost ${compactNumber(lost)}`;
}

export function Header(p: HeaderProps) {
  const unavailable = (p.status?.unavailableNodes.length ?? 0) + p.streamUnavailable.length > 0;
  const lost = Math.max(p.lost, p.status?.lost ?? 0) > 0;
  const tone = unavailable || lost ? p.theme.tone('warn') : p.theme.tone('accent');
  const help = ' ?:help q:quit';
  const tabs = p.tabs.map((t) => ` ${t.key} ${t.title} `);
  const used = tabs.reduce((a, t) => a + t.length, 0);
  return (
    <>
      <Text wrap="truncate" bold color={tone}>{fit(headerText(p), p.width)}</Text>
      <Text wrap="truncate">
        {p.tabs.map((t, i) => (
          <Text key={t.key} inverse={t.active} bold={t.active} color={t.active ? p.theme.tone('accent') : undefined}>{tabs[i]}</Text>
        ))}
        <Text color={p.theme.tone('muted')}>{fit(help, Math.max(0, p.width - used), 'right')}</Text>
      </Text>
    </>
  );
}
