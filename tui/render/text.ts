// Cells, fitting text to a width, and the colour theme. Renderers return cells whose colours are
// already resolved against the theme, so NO_COLOR is decided once and tests see plain data.

export interface Cell { text: string; color?: string; bold?: boolean; dim?: boolean; inverse?: boolean }

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

export interface ColorTerminal { isTTY?: boolean; hasColors?(): boolean }

/**
 * Colour unless NO_COLOR is set (https://no-color.org: present and not empty); FORCE_COLOR forces
 * it either way; otherwise only on a terminal that has colours. Without a terminal given, colour.
 */
export function makeTheme(env: NodeJS.ProcessEnv | Record<string, string | undefined>, term?: ColorTerminal): Theme {
  const force = env['FORCE_COLOR'];
  const color = env['NO_COLOR'] ? false
    : force !== undefined ? !['0', 'false'].includes(force)
    : term ? term.isTTY === true && (term.hasColors?.() ?? true) : true;
  return { color, tone: (t) => (color ? TONES[t] : undefined) };
}

export const plainTheme: Theme = makeTheme({ NO_COLOR: '1' });
export const colorTheme: Theme = makeTheme({});

export function cell(text: string, tone?: Tone, theme?: Theme): Cell {
  const color = tone && theme ? theme.tone(tone) : undefined;
  return color ? { text, color } : { text };
}

const SGR: Readonly<Record<string, number>> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/**
 * One line of cells as text with SGR escapes. A frame is then one Ink Text per line instead of
 * one per cell: at 200x50 that is ~50 nodes instead of ~600, which is most of Ink's frame time.
 * Colours come only from the theme, so NO_COLOR leaves none; inverse marks the cursor row.
 */
export function paint(cells: readonly Cell[], inverse = false): string {
  let out = inverse ? '\x1b[7m' : '';
  for (const c of cells) {
    const on: number[] = [];
    const off: number[] = [];
    if (c.bold || c.dim) { if (c.bold) on.push(1); if (c.dim) on.push(2); off.push(22); }
    if (c.inverse && !inverse) { on.push(7); off.push(27); }
    const color = c.color ? SGR[c.color] : undefined;
    if (color) { on.push(color); off.push(39); }
    out += on.length ? `\x1b[${on.join(';')}m${c.text}\x1b[${off.join(';')}m` : c.text;
  }
  return inverse ? `${out}\x1b[27m` : out;
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
