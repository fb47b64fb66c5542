// One line of cells. Rows are pre-fitted to the width by the renderers, so Ink only measures
// and never wraps (wrap="truncate" guards a narrower terminal).
import { Text } from 'ink';
import type { Cell } from '../render/text.ts';

export function Row({ cells, selected = false }: { cells: readonly Cell[]; selected?: boolean }) {
  return (
    <Text wrap="truncate" inverse={selected}>
      {cells.map((c, i) => (
        <Text key={i} color={c.color} bold={c.bold} dimColor={c.dim}>{c.text}</Text>
      ))}
    </Text>
  );
}

/** A blank or plain line. */
export function Line({ text = ' ', color }: { text?: string; color?: string | undefined }) {
  return <Text wrap="truncate" color={color}>{text || ' '}</Text>;
}
