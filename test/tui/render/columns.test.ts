import test from 'ava';
import { headerCells, layoutColumns, rowCells, type Column } from '../../../tui/render/columns.ts';
import { colorTheme, fit, plainTheme, rowText } from '../../../tui/render/text.ts';
import { flowColumns } from '../../../tui/render/flow-row.ts';
import { drop, forwarded } from '../fixtures.ts';

test('fit pads, cuts with an ellipsis and aligns', (t) => {
  t.is(fit('abc', 5), 'abc  ');
  t.is(fit('abcdef', 4), 'abc…');
  t.is(fit('7', 3, 'right'), '  7');
  t.is(fit('a\nb', 3), 'a b');
  t.is(fit('x', 0), '');
});

const cols: Column<string>[] = [
  { title: 'A', width: 4, text: (s) => s },
  { title: 'B', width: 5, flex: 1, max: 10, text: (s) => s },
  { title: 'C', width: 5, flex: 1, text: (s) => s },
  { title: 'WIDE', width: 3, minTotal: 100, text: () => 'w' },
];

test('flexible columns share the width, capped ones stop at their max', (t) => {
  t.deepEqual(layoutColumns(cols, 20).widths, [4, 7, 7]);
  t.deepEqual(layoutColumns(cols, 60).widths, [4, 10, 44]);
  t.deepEqual(layoutColumns(cols, 100).widths, [4, 10, 80, 3]);
});

for (const width of [80, 120, 200]) {
  test(`flow rows are exactly ${width} columns`, (t) => {
    const l = layoutColumns(flowColumns({ utc: true }), width);
    t.is(rowText(headerCells(l, plainTheme)).length, width);
    t.is(rowText(rowCells(l, drop, plainTheme)).length, width);
  });
}

test('flow row at 80 columns', (t) => {
  const l = layoutColumns(flowColumns({ utc: true }), 80);
  t.is(rowText(headerCells(l, plainTheme)), 'TIME     SOURCE          DESTINATION     TYPE        VERDICT    SUMMARY         ');
  t.is(rowText(rowCells(l, drop, plainTheme)), '22:13:54 default/xwing:… default/deaths… Policy den… DROPPED    TCP Flags: SYN  ');
});

test('verdicts are coloured, and nothing is with NO_COLOR', (t) => {
  const l = layoutColumns(flowColumns(), 120);
  const verdictCell = (f: typeof drop, theme: typeof plainTheme) => rowCells(l, f, theme).find((c) => /DROPPED|FORWARDED/.test(c.text));
  t.is(verdictCell(drop, colorTheme)?.color, 'red');
  t.is(verdictCell(forwarded, colorTheme)?.color, 'green');
  t.true(rowCells(l, drop, plainTheme).every((c) => c.color === undefined));
  t.true(headerCells(l, plainTheme).every((c) => c.color === undefined));
});
