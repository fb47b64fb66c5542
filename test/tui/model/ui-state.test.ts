import test from 'ava';
import { GLOBAL_BINDINGS, keyName, splitKeys } from '../../../tui/model/keys.ts';
import { createReducer, initialState, keyAction, type ActionContext, type KeyedView, type UiState } from '../../../tui/model/ui-state.ts';

const views: KeyedView[] = [
  { id: 'flows', key: '1', commands: ['flows', 'fl'], bindings: [] },
  { id: 'endpoints', key: '2', commands: ['endpoints', 'ep'], bindings: [
    { keys: ['s'], description: 'sort', action: { type: 'sort' } }, { keys: ['r'], description: 'reverse', action: { type: 'reverseSort' } },
  ] },
  { id: 'maps', key: '3', commands: ['maps'], bindings: [] },
];
const reduce = createReducer(views);
const ctx = (count = 10, extra: Partial<ActionContext> = {}): ActionContext => ({ count, pageSize: 5, selected: (i) => `row${i}`, ...extra });

/** Feed key names through keyAction + reduce, as the Root does. */
function keys(s: UiState, names: string[], c = ctx()): UiState {
  for (const n of names) {
    const a = keyAction(s, n, n.length === 1 ? n : '', views, GLOBAL_BINDINGS);
    if (a) s = reduce(s, a, c);
  }
  return s;
}

test('number keys and :commands switch views', (t) => {
  let s = keys(initialState('flows'), ['2']);
  t.is(s.view, 'endpoints');
  s = keys(s, [':', 'm', 'a', 'p', 's', 'enter']);
  t.is(s.view, 'maps');
  t.is(s.mode, 'normal');
  s = keys(s, [':', 'f', 'l', 'enter']);
  t.is(s.view, 'flows');
  s = keys(s, [':', 'e', 'enter']);
  t.is(s.view, 'endpoints', 'a prefix of the first command name');
  s = keys(s, [':', 'x', 'y', 'enter']);
  t.is(s.view, 'endpoints');
  t.is(s.flash?.text, 'unknown command "xy" (flows, endpoints, maps, quit)');
  t.true(keys(s, [':', 'q', 'enter']).quit);
});

test('the filter bar edits text, validates flow filters and keeps one filter per view', (t) => {
  let s = keys(initialState('flows'), ['/', '-', '-', 'v', 'backspace', 'x']);
  t.is(s.mode, 'filter');
  t.is(s.input, '--x');
  s = keys(s, ['enter']);
  t.is(s.mode, 'filter', 'stays open on a bad filter');
  t.regex(s.flash?.text ?? '', /^filter: unknown filter flag --x/);
  s = reduce({ ...s, input: '--verdict DROPPED' }, { type: 'submit' }, ctx());
  t.is(s.filters['flows'], '--verdict DROPPED');
  t.is(s.flash, null);
  s = keys(s, ['2', '/', 'a', 'b', 'enter']);
  t.deepEqual(s.filters, { flows: '--verdict DROPPED', endpoints: 'ab' });
  s = keys(s, ['/', 'c', 'esc']);
  t.is(s.filters['endpoints'], 'ab', 'esc cancels the edit');
  s = keys(s, ['esc']);
  t.is(s.filters['endpoints'], '', 'esc clears the filter');
  t.is(keys(s, ['1', '/']).input, '--verdict DROPPED', 'the bar opens with the current filter');
});

test('keys typed in the bars are text, not bindings', (t) => {
  const s = keys(initialState('flows'), ['/', 'q', '2', 'space', '?', 'j']);
  t.false(s.quit);
  t.is(s.view, 'flows');
  t.is(s.input, 'q2 ?j');
  t.true(keys(s, ['ctrl+c']).quit, 'ctrl+c always quits');
});

test('moving pauses the flows, clamps to the rows and pages by the page size', (t) => {
  let s = keys(initialState('flows'), ['j']);
  t.true(s.paused);
  t.is(s.cursor['flows'], 1);
  s = keys(s, ['G']);
  t.is(s.cursor['flows'], 9);
  s = keys(s, ['j', 'g', 'pgdn']);
  t.is(s.cursor['flows'], 5);
  s = keys(s, ['pgdn']);
  t.is(s.cursor['flows'], 9);
  s = keys(s, ['space']);
  t.false(s.paused);
  t.is(s.cursor['flows'], 0, 'resuming returns to the newest flow');
  t.false(keys(initialState('endpoints'), ['j']).paused, 'only the flows view pauses');
});

test('enter opens the selected row, moves scroll the detail, esc closes it', (t) => {
  let s = keys(initialState('flows'), ['j', 'j', 'enter']);
  t.deepEqual(s.detail, { item: 'row2', scroll: 0, page: 0 });
  s = keys(s, ['j', 'j', 'G'], ctx(10, { detailLines: 7 }));
  t.is(s.detail?.scroll, 6);
  t.is(s.cursor['flows'], 2, 'the table cursor stays');
  s = keys(s, ['esc']);
  t.is(s.detail, null);
  t.is(keys(initialState('flows'), ['enter'], ctx(0)).flash?.text, 'nothing selected');
});

test('paged details page with pgdn and the page actions, within their page count', (t) => {
  let s = keys(initialState('maps'), ['enter']);
  const c = ctx(3, { detailPages: 3 });
  s = keys(s, ['pgdn', 'pgdn', 'pgdn'], c);
  t.is(s.detail?.page, 2);
  s = reduce(s, { type: 'detailPage', delta: -1 }, c);
  t.is(s.detail?.page, 1);
});

test('help toggles and scrolls; view bindings win over global ones', (t) => {
  let s = keys(initialState('endpoints'), ['?']);
  t.is(s.mode, 'help');
  s = keys(s, ['j', 'j'], ctx(0, { detailLines: 5 }));
  t.is(s.helpScroll, 2);
  s = keys(s, ['esc']);
  t.is(s.mode, 'normal');
  t.is(keys(s, ['s', 's']).sortColumn, 2);
  t.is(keys(s, ['r']).sortDescending, true);
});

test('a flash clears only itself', (t) => {
  const s = reduce(initialState('flows'), { type: 'flash', text: 'a', level: 'error' });
  const newer = reduce(s, { type: 'flash', text: 'b', level: 'error' });
  t.is(reduce(newer, { type: 'clearFlash', flash: s.flash! }).flash?.text, 'b');
  t.is(reduce(newer, { type: 'clearFlash', flash: newer.flash! }).flash, null);
});

test('key names', (t) => {
  t.is(keyName('c', { ctrl: true }), 'ctrl+c');
  t.is(keyName('', { return: true }), 'enter');
  t.is(keyName('', { escape: true }), 'esc');
  t.is(keyName('', { downArrow: true }), 'down');
  t.is(keyName('', { pageDown: true }), 'pgdn');
  t.is(keyName('', { delete: true }), 'backspace');
  t.is(keyName(' ', {}), 'space');
  t.is(keyName('G', { shift: true }), 'G');
  t.deepEqual(splitKeys('G\r\x7f\x03 '), [
    { name: 'G', input: 'G' }, { name: 'enter', input: '' }, { name: 'backspace', input: '' }, { name: 'ctrl+c', input: '' }, { name: 'space', input: ' ' },
  ]);
});
