// The last line: the filter or command being typed, else the flash (errors), else the status.
import type { UiState } from '../model/ui-state.ts';
import { fit, type Theme } from '../render/text.ts';
import { Line } from './row.tsx';

export function bottomText(s: UiState, status: string): { text: string; tone?: 'bad' | 'info' | 'muted' } {
  // While typing, an error about the input shows after it (the bar stays open to fix it).
  const error = s.flash?.level === 'error' ? `  ✗ ${s.flash.text}` : '';
  if (s.mode === 'filter') return { text: `/${s.input}█${error}`, tone: error ? 'bad' : 'info' };
  if (s.mode === 'command') return { text: `:${s.input}█${error}`, tone: error ? 'bad' : 'info' };
  if (s.flash) return { text: s.flash.text, tone: s.flash.level === 'error' ? 'bad' : 'info' };
  return { text: status, tone: 'muted' };
}

export function BottomBar({ state, status, width, theme }: { state: UiState; status: string; width: number; theme: Theme }) {
  const { text, tone } = bottomText(state, status);
  return <Line text={fit(text, width)} tone={tone} theme={theme} />;
}
