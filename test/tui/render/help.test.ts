import test from 'ava';
import { GLOBAL_BINDINGS } from '../../../tui/model/keys.ts';
import { helpLines } from '../../../tui/render/help.ts';
import { VIEWS } from '../../../tui/views/registry.ts';

test('help lists every view, every global binding and the active view bindings', (t) => {
  const lines = helpLines(GLOBAL_BINDINGS, VIEWS, 'Maps').join('\n');
  for (const v of VIEWS) t.true(lines.includes(`${v.key}  :${v.commands[0]}`), v.id);
  for (const b of GLOBAL_BINDINGS) t.true(lines.includes(`${b.keys.join(' ').padEnd(14)} ${b.description}`), b.description);
  t.regex(lines, /Maps view\n  s +sort by the next column\n  r +reverse the sort order\n  n +next page of map entries/);
  t.notRegex(lines, /by policy, by endpoint pair/);
});

test('the view table has unique keys and commands', (t) => {
  const keys = VIEWS.map((v) => v.key);
  const commands = VIEWS.flatMap((v) => v.commands);
  t.deepEqual(keys, ['1', '2', '3', '4', '5', '6']);
  t.is(new Set(commands).size, commands.length);
  t.deepEqual(VIEWS.map((v) => v.commands[0]), ['flows', 'endpoints', 'maps', 'verdicts', 'connections', 'servicemap']);
});

test('help names every filter flag of observe, wrapped to the width', (t) => {
  const lines = helpLines(GLOBAL_BINDINGS, VIEWS, 'Flows', 80);
  t.true(lines.every((l) => l.length <= 80));
  const text = lines.join(' ');
  for (const f of ['--verdict', '-n/--namespace', '--from-pod', '--not', '--tcp-flags', '-t/--type']) t.true(text.includes(f), f);
});
