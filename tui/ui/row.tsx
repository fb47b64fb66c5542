// One line of the frame: cells painted into one string, one Ink Text. Rows are pre-fitted to the
// width by the renderers, so Ink only measures; wrap="truncate" guards a narrower terminal.
import { Text } from 'ink';
import { paint, type Cell, type Theme, type Tone } from '../render/text.ts';

export function Row({ cells, selected = false }: { cells: readonly Cell[]; selected?: boolean }) {
  return <Text wrap="truncate">{paint(cells, selected) || ' '}</Text>;
}

/** A plain line in one tone. */
export function Line({ text = ' ', tone, theme, bold }: { text?: string; tone?: Tone | undefined; theme?: Theme; bold?: boolean }) {
  const color = tone && theme ? theme.tone(tone) : undefined;
  return <Row cells={[{ text: text || ' ', ...(color ? { color } : {}), ...(bold ? { bold } : {}) }]} />;
}
