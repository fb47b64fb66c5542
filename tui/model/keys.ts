// Key names and key bindings as data ({keys, description, action}): the keyboard handler and the
// `?` help screen are both generated from the same tables, as in k9s.
import type { Action } from './ui-state.ts';

/** The subset of Ink's Key this module reads (kept structural so tests need no Ink). */
export interface KeyFlags {
  upArrow?: boolean; downArrow?: boolean; leftArrow?: boolean; rightArrow?: boolean; pageDown?: boolean; pageUp?: boolean;
  home?: boolean; end?: boolean; return?: boolean; escape?: boolean; ctrl?: boolean; tab?: boolean; shift?: boolean;
  backspace?: boolean; delete?: boolean; meta?: boolean;
}

/** One canonical name per key press: `q`, `G`, `ctrl+c`, `enter`, `esc`, `up`, `pgdn`, `space`… */
export function keyName(input: string, key: KeyFlags): string {
  if (key.ctrl && input) return `ctrl+${input.toLowerCase()}`;
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageDown) return 'pgdn';
  if (key.pageUp) return 'pgup';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  // Terminals send DEL (0x7f) for the backspace key; Ink reports it as delete.
  if (key.backspace || key.delete) return 'backspace';
  if (input === ' ') return 'space';
  return input;
}

export interface Binding {
  keys: readonly string[];
  description: string;
  action: Action;
}

export function findBinding(bindings: readonly Binding[], name: string): Binding | undefined {
  return bindings.find((b) => b.keys.includes(name));
}

/** Bindings every view shares (the view switch keys come from the view registry). */
export const GLOBAL_BINDINGS: readonly Binding[] = [
  { keys: ['?'], description: 'show or hide this help', action: { type: 'help' } },
  { keys: [':'], description: 'command: flows, endpoints, maps, verdicts, quit', action: { type: 'openCommand' } },
  { keys: ['/'], description: 'filter the view (flows: hubble observe flags)', action: { type: 'openFilter' } },
  { keys: ['space'], description: 'pause or resume the live flows', action: { type: 'togglePause' } },
  { keys: ['enter'], description: 'details of the selected row', action: { type: 'openDetail' } },
  { keys: ['esc'], description: 'close the detail pane, or clear the filter', action: { type: 'back' } },
  { keys: ['j', 'down'], description: 'next row', action: { type: 'move', delta: 1 } },
  { keys: ['k', 'up'], description: 'previous row', action: { type: 'move', delta: -1 } },
  { keys: ['pgdn', 'ctrl+f'], description: 'next page', action: { type: 'page', delta: 1 } },
  { keys: ['pgup', 'ctrl+b'], description: 'previous page', action: { type: 'page', delta: -1 } },
  { keys: ['g', 'home'], description: 'first row', action: { type: 'move', delta: -Infinity } },
  { keys: ['G', 'end'], description: 'last row', action: { type: 'move', delta: Infinity } },
  { keys: ['q', 'ctrl+c'], description: 'quit', action: { type: 'quit' } },
];

/**
 * Ink hands over a whole chunk of plain text as one input (a paste, or keys sent together by
 * tmux send-keys). Split it into one key per character so `G\r` is "G" then "enter".
 */
export function splitKeys(input: string): { name: string; input: string }[] {
  return [...input].map((c) => {
    if (c === '\r' || c === '\n') return { name: 'enter', input: '' };
    if (c === '\x7f' || c === '\b') return { name: 'backspace', input: '' };
    if (c === '\t') return { name: 'tab', input: '' };
    if (c === ' ') return { name: 'space', input: ' ' };
    const code = c.charCodeAt(0);
    if (code >= 1 && code <= 26) return { name: `ctrl+${String.fromCharCode(96 + code)}`, input: '' };
    return { name: c, input: c };
  });
}
