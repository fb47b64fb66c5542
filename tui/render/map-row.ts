// BPF map rows with a pressure bar (entries / max entries), and map entry rows.
import type { MapEntry, MapInfo } from '../model/types.ts';
import type { Column } from './columns.ts';
import { compactNumber, type Tone } from './text.ts';

export function pressureTone(p: number): Tone {
  return p >= 0.9 ? 'bad' : p >= 0.7 ? 'warn' : 'ok';
}

/** `██████░░░░  62%`: a bar of `width` columns including the percentage. */
export function pressureBar(pressure: number, width: number): string {
  const p = Math.max(0, Math.min(1, Number.isFinite(pressure) ? pressure : 0));
  const pct = `${Math.round(p * 100)}%`.padStart(5);
  const barWidth = Math.max(0, width - pct.length);
  const full = Math.round(p * barWidth);
  return `${'█'.repeat(full)}${'░'.repeat(barWidth - full)}${pct}`;
}

export function mapColumns(barWidth: number): Column<MapInfo>[] {
  return [
    { title: 'NODE', width: 8, flex: 1, max: 20, text: (m) => m.node },
    { title: 'NAME', width: 18, flex: 3, max: 40, text: (m) => m.name },
    { title: 'TYPE', width: 11, minTotal: 90, text: (m) => m.type },
    { title: 'ENTRIES', width: 11, align: 'right', text: (m) => `${compactNumber(m.entries)}/${compactNumber(m.maxEntries)}` },
    { title: 'PRESSURE', width: barWidth, text: (m) => pressureBar(m.pressure, barWidth), tone: (m) => pressureTone(m.pressure) },
  ];
}

export function mapEntryColumns(): Column<MapEntry>[] {
  return [
    { title: 'KEY', width: 20, flex: 1, text: (e) => e.key },
    { title: 'VALUE', width: 20, flex: 1, text: (e) => e.value },
  ];
}
