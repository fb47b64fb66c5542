// The UI state machine: which view, which mode (normal, filter bar, command bar, help), cursors,
// filters, pause, the open detail pane and the flash line. Pure: the App feeds it key actions plus
// what only the rendered view knows (row count, page size, the selected item).
import { compileFilter } from './flow-filter.ts';
import type { Binding } from './keys.ts';

export type ViewId = string;
export type Mode = 'normal' | 'filter' | 'command' | 'help';
export type VerdictTable = 'policy' | 'pair' | 'denials';
export const VERDICT_TABLES: readonly VerdictTable[] = ['policy', 'pair', 'denials'];

export type Action =
  | { type: 'quit' } | { type: 'help' } | { type: 'openCommand' } | { type: 'openFilter' } | { type: 'togglePause' }
  | { type: 'openDetail' } | { type: 'back' } | { type: 'move'; delta: number } | { type: 'page'; delta: number }
  | { type: 'view'; view: ViewId } | { type: 'input'; text: string } | { type: 'backspace' } | { type: 'submit' }
  | { type: 'cancel' } | { type: 'sort' } | { type: 'reverseSort' } | { type: 'cycleTable' }
  | { type: 'detailPage'; delta: number } | { type: 'flash'; text: string; level: 'error' | 'info' }
  | { type: 'clearFlash'; flash: Flash };

export interface Flash { text: string; level: 'error' | 'info' }

export interface UiState {
  view: ViewId;
  mode: Mode;
  /** Text being typed in the filter or command bar. */
  input: string;
  /** Applied filter text per view. */
  filters: Record<ViewId, string>;
  paused: boolean;
  cursor: Record<ViewId, number>;
  detail: { item: unknown; scroll: number; page: number } | null;
  helpScroll: number;
  sortColumn: number;
  sortDescending: boolean;
  verdictTable: VerdictTable;
  flash: Flash | null;
  quit: boolean;
}

/** What the rendered view knows when a key arrives. */
export interface ActionContext {
  count: number;
  pageSize: number;
  /** The item at a row index of the view's current list. */
  selected?: (index: number) => unknown;
  /** Lines of the open detail pane, and its number of pages when it is paged (map entries). */
  detailLines?: number;
  detailPages?: number;
}

export interface ViewMeta { id: ViewId; commands: readonly string[] }

export function initialState(view: ViewId): UiState {
  return {
    view, mode: 'normal', input: '', filters: {}, paused: false, cursor: {}, detail: null, helpScroll: 0, sortColumn: 0,
    sortDescending: false, verdictTable: 'policy', flash: null, quit: false,
  };
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

export function createReducer(views: readonly ViewMeta[]) {
  const resolveCommand = (text: string): ViewId | 'quit' | undefined => {
    const c = text.trim().replace(/^:/, '').toLowerCase();
    if (['q', 'q!', 'quit', 'exit'].includes(c)) return 'quit';
    if (!c) return undefined;
    return views.find((v) => v.commands.includes(c))?.id ?? views.find((v) => v.commands[0]!.startsWith(c))?.id;
  };

  const submit = (s: UiState): UiState => {
    if (s.mode === 'command') {
      const target = resolveCommand(s.input);
      if (target === 'quit') return { ...s, quit: true };
      if (!target) {
        const known = views.map((v) => v.commands[0]).join(', ');
        return { ...s, mode: 'normal', input: '', flash: { text: `unknown command "${s.input}" (${known}, quit)`, level: 'error' } };
      }
      return { ...switchView(s, target), input: '' };
    }
    const text = s.input.trim();
    if (s.view === 'flows') {
      try { compileFilter(text); } catch (err) {
        return { ...s, flash: { text: `filter: ${(err as Error).message}`, level: 'error' } };
      }
    }
    return { ...s, mode: 'normal', input: '', filters: { ...s.filters, [s.view]: text }, cursor: { ...s.cursor, [s.view]: 0 }, flash: null };
  };

  const switchView = (s: UiState, view: ViewId): UiState =>
    ({ ...s, view, mode: 'normal', detail: null, sortColumn: view === s.view ? s.sortColumn : 0, sortDescending: view === s.view && s.sortDescending });

  const move = (s: UiState, delta: number, ctx: ActionContext): UiState => {
    if (s.mode === 'help') {
      const max = Math.max(0, (ctx.detailLines ?? 0) - 1);
      return { ...s, helpScroll: clamp(Number.isFinite(delta) ? s.helpScroll + delta : delta > 0 ? max : 0, 0, max) };
    }
    if (s.detail) {
      const max = Math.max(0, (ctx.detailLines ?? 0) - 1);
      const scroll = Number.isFinite(delta) ? s.detail.scroll + delta : delta > 0 ? max : 0;
      return { ...s, detail: { ...s.detail, scroll: clamp(scroll, 0, max) } };
    }
    const cur = s.cursor[s.view] ?? 0;
    const next = clamp(Number.isFinite(delta) ? cur + delta : delta > 0 ? ctx.count - 1 : 0, 0, Math.max(0, ctx.count - 1));
    // Moving through live flows freezes them, or the row under the cursor would change every frame.
    const paused = s.view === 'flows' ? true : s.paused;
    return { ...s, paused, cursor: { ...s.cursor, [s.view]: next } };
  };

  return function reduce(s: UiState, a: Action, ctx: ActionContext = { count: 0, pageSize: 1 }): UiState {
    switch (a.type) {
      case 'quit': return { ...s, quit: true };
      case 'help': return { ...s, mode: s.mode === 'help' ? 'normal' : 'help', helpScroll: 0 };
      case 'openCommand': return { ...s, mode: 'command', input: '' };
      case 'openFilter': return { ...s, mode: 'filter', input: s.filters[s.view] ?? '' };
      case 'input': return { ...s, input: s.input + a.text };
      case 'backspace': return { ...s, input: s.input.slice(0, -1) };
      case 'cancel': return { ...s, mode: 'normal', input: '' };
      case 'submit': return submit(s);
      case 'view': return switchView(s, a.view);
      case 'togglePause': return s.paused ? { ...s, paused: false, cursor: { ...s.cursor, flows: 0 } } : { ...s, paused: true };
      case 'openDetail': {
        if (s.detail) return s;
        const index = Math.min(s.cursor[s.view] ?? 0, Math.max(0, ctx.count - 1));
        const item = ctx.count > 0 ? ctx.selected?.(index) : undefined;
        if (item === undefined) return { ...s, flash: { text: 'nothing selected', level: 'info' } };
        return { ...s, detail: { item, scroll: 0, page: 0 } };
      }
      case 'back':
        if (s.mode === 'help') return { ...s, mode: 'normal' };
        if (s.detail) return { ...s, detail: null };
        if (s.filters[s.view]) return { ...s, filters: { ...s.filters, [s.view]: '' }, cursor: { ...s.cursor, [s.view]: 0 } };
        return { ...s, flash: null };
      case 'move': return move(s, a.delta, ctx);
      case 'page':
        if (s.detail && s.mode !== 'help' && ctx.detailPages !== undefined) return reduce(s, { type: 'detailPage', delta: a.delta }, ctx);
        return move(s, a.delta * Math.max(1, ctx.pageSize), ctx);
      case 'detailPage': {
        if (!s.detail) return s;
        const page = clamp(s.detail.page + a.delta, 0, Math.max(0, (ctx.detailPages ?? 1) - 1));
        return { ...s, detail: { ...s.detail, page, scroll: 0 } };
      }
      // The view takes it modulo its column count (it may not have rendered yet when keys come fast).
      case 'sort': return { ...s, sortColumn: s.sortColumn + 1 };
      case 'reverseSort': return { ...s, sortDescending: !s.sortDescending };
      case 'cycleTable': {
        const i = VERDICT_TABLES.indexOf(s.verdictTable);
        return { ...s, verdictTable: VERDICT_TABLES[(i + 1) % VERDICT_TABLES.length]!, cursor: { ...s.cursor, [s.view]: 0 }, detail: null };
      }
      case 'flash': return { ...s, flash: { text: a.text, level: a.level } };
      // Only the flash the timer was set for: a newer one stays its full time.
      case 'clearFlash': return s.flash === a.flash ? { ...s, flash: null } : s;
    }
  };
}

export interface KeyedView extends ViewMeta {
  /** Number key that switches to the view ('1'…). */
  key: string;
  bindings: readonly Binding[];
}

/** What a key press means in the current mode: text editing in the bars, bindings otherwise. */
export function keyAction(s: UiState, name: string, input: string, views: readonly KeyedView[],
  globals: readonly Binding[]): Action | undefined {
  if (name === 'ctrl+c') return { type: 'quit' };
  if (s.mode === 'filter' || s.mode === 'command') {
    if (name === 'enter') return { type: 'submit' };
    if (name === 'esc') return { type: 'cancel' };
    if (name === 'backspace') return { type: 'backspace' };
    if (name === 'space') return { type: 'input', text: ' ' };
    // Printable text only (a paste arrives as one string).
    if (input && !name.includes('+') && name === input && !/[\u0000-\u001f\u007f]/.test(input)) return { type: 'input', text: input };
    return undefined;
  }
  const view = views.find((v) => v.id === s.view);
  const own = view?.bindings.find((b) => b.keys.includes(name));
  if (own) return own.action;
  const target = views.find((v) => v.key === name);
  if (target) return { type: 'view', view: target.id };
  return globals.find((b) => b.keys.includes(name))?.action;
}
