// Cells, fitting text to a width, and the colour theme. Renderers return cells whose colours are
// already resolved against the theme, so NO_COLOR is decided once and tests see plain data.

export interface Cell { text: string; color?: string; bold?: boolean; dim?: boolean }

/** Pad or cut to exactly `width` columns; a cut ends with '…'. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  if (flat.length > width) return width === 1 ? '…' : `${flat.slice(0, width - 1)}…`;
  return align === 'right' ? flat.padStart(width) : flat.padEnd(width);
}

/** 10000 → 10.0k, 1234567 → 1.2M. */
export function compactNumber(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1000).toFixed(n < 1e5 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'accent' | 'muted';

export interface Theme {
  readonly color: boolean;
  tone(t: Tone): string | undefined;
}

const TONES: Record<Tone, string> = { ok: 'green', bad: 'red', warn: 'yellow', info: 'cyan', accent: 'cyan', muted: 'gray' };

export function makeTheme(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Theme {
  // https://no-color.org: present and not empty disables colour.
  const color = !env['NO_COLOR'];
  return { color, tone: (t) => (color ? TONES[t] : undefined) };
}

export const plainTheme: Theme = makeTheme({ NO_COLOR: '1' });
export const colorTheme: Theme = makeTheme({});

export function cell(text: string, tone?: Tone, theme?: Theme): Cell {
  const color = tone && theme ? theme.tone(tone) : undefined;
  return color ? { text, color } : { text };
}

/** The text of a row of cells, for tests and plain output. */
export function rowText(cells: readonly Cell[]): string {
  return cells.map((c) => c.text).join('');
}

/** Break a line into lines of at most `width` columns, at spaces when possible; continuation lines are indented. */
export function wrap(text: string, width: number, indent = 0): string[] {
  if (width <= indent + 1 || text.length <= width) return [text];
  const out: string[] = [];
  let rest = text;
  let room = width;
  while (rest.length > room) {
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = room;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    room = width - indent;

  }
  if (rest) out.push(rest);
  return out.map((l, i) => (i > 0 ? ' '.repeat(indent) + l : l));
}
