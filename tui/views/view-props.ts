// What every view receives, and what the registry holds per view.
import type { ReactNode } from 'react';
import type { Flow } from '../../api/types.ts';
import type { FlowStore } from '../model/flow-store.ts';
import type { TuiDataSource } from '../model/types.ts';
import type { ActionContext, KeyedView, UiState } from '../model/ui-state.ts';
import type { TimeOptions } from '../render/flow-text.ts';
import type { Theme } from '../render/text.ts';

export interface ViewProps {
  state: UiState;
  store: FlowStore;
  source: TuiDataSource;
  /** All buffered flows at the moment the stream was paused (null while live). */
  frozen: readonly Flow[] | null;
  width: number;
  height: number;
  theme: Theme;
  time: TimeOptions;
  /** The view tells the key handler its row count, page size and selection on every render. */
  report(ctx: ActionContext): void;
  flash(text: string): void;
}

export interface ViewSpec extends KeyedView {
  title: string;
  Component: (p: ViewProps) => ReactNode;
  /** The bottom line when nothing else is shown there. */
  status(s: UiState, store: FlowStore): string;
}

/** Case-insensitive substring filter of the non-flow views. */
export function textFilter(text: string | undefined): (row: string) => boolean {
  const t = (text ?? '').trim().toLowerCase();
  return t ? (row) => row.toLowerCase().includes(t) : () => true;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
