import test from 'ava';
import { ConnectionBook } from '../../../tui/model/connection-book.ts';
import { layoutColumns, rowCells } from '../../../tui/render/columns.ts';
import { connectionColumns } from '../../../tui/render/connection-row.ts';
import { serviceMapLines } from '../../../tui/render/service-map.ts';
import { colorTheme, plainTheme, rowText } from '../../../tui/render/text.ts';
import { allFlows } from '../fixtures.ts';

function stats() {
  const book = new ConnectionBook();
  for (const f of allFlows) book.add(f, 5_000);
  return book.snapshot(6_000);
}

test('the map is a tree per namespace with drops and errors marked', (t) => {
  const lines = serviceMapLines(stats(), { width: 160, theme: plainTheme }).map((l) => rowText(l).trimEnd());
  t.deepEqual(lines.map((l) => l.replace(/ {2,}/g, '  ')), [
    'namespace default: 2 talking workloads, 3 edges, 1 dropping, 1 with errors',
    '  tiefighter',
    '  └─! deathstar TCP/80  4 flows/s  http 1/s 5xx 100% p50 1.5ms p99 1.5ms',
    '  xwing',
    '  ├─✗ deathstar  TCP/80  1 flows/s  1 drops (Policy denied)',
    '  └─▶ kube-system/coredns-5d78c9869d-x1 UDP/53  1 flows/s  dns errors 0/1',
    'namespace shop: 1 talking workloads, 1 edges',
    '  cart-1',
    '  └─▶ world ICMPv4  1 flows/s',
  ]);
});

test('the map narrows to the namespaces matching the filter and colours drops red', (t) => {
  const lines = serviceMapLines(stats(), { namespace: 'SHO', width: 100, theme: plainTheme }).map((l) => rowText(l));
  t.is(lines.length, 3);
  t.true(lines[0]!.startsWith('namespace shop'));
  const coloured = serviceMapLines(stats(), { width: 100, theme: colorTheme });
  const dropEdge = coloured.find((l) => rowText(l).includes('─✗'))!;
  t.is(dropEdge[0]!.color, 'red');
  const errEdge = coloured.find((l) => rowText(l).includes('─!'))!;
  t.is(errEdge[0]!.color, 'yellow');
});

test('connection rows show every golden signal on a wide terminal and the essentials on a narrow one', (t) => {
  const wide = layoutColumns(connectionColumns(), 200);
  t.deepEqual(wide.columns.map((c) => c.title), ['SOURCE', 'DESTINATION', 'PORT', 'FLOWS/S', 'FLOWS', 'DROPS', 'TOP DROP REASON', 'HTTP/S', '5XX', 'P50', 'P99', 'DNS ERR']);
  t.true(wide.widths.reduce((a, b) => a + b, 0) + wide.widths.length - 1 <= 200);
  const rows = stats();
  const xw = rows.find((s) => s.row.source === 'default/xwing' && s.row.port === 'TCP/80')!;
  t.regex(rowText(rowCells(wide, xw, plainTheme)), /default\/xwing +default\/deathstar +TCP\/80 +1 +1 +1 Policy denied +- +- +- +- +-/);
  const tie = rows.find((s) => s.row.source === 'default/tiefighter')!;
  t.regex(rowText(rowCells(wide, tie, plainTheme)), /TCP\/80 +4 +4 +0 +1 +100% +1\.5ms +1\.5ms +-/);
  const narrow = layoutColumns(connectionColumns(), 80);
  t.deepEqual(narrow.columns.map((c) => c.title), ['SOURCE', 'DESTINATION', 'PORT', 'FLOWS/S', 'DROPS', 'HTTP/S', '5XX']);
});
