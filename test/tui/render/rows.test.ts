import test from 'ava';
import { layoutColumns, rowCells } from '../../../tui/render/columns.ts';
import { endpointColumns, labelsText, sortEndpoints } from '../../../tui/render/endpoint-row.ts';
import { mapColumns, pressureBar, pressureTone } from '../../../tui/render/map-row.ts';
import { verdictColumns } from '../../../tui/render/verdict-row.ts';
import { sparkline } from '../../../tui/render/sparkline.ts';
import { flowDetailLines, flowFields } from '../../../tui/render/flow-detail.ts';
import { colorTheme, compactNumber, plainTheme, rowText } from '../../../tui/render/text.ts';
import * as textModule from '../../../tui/render/text.ts';
import type { EndpointInfo, MapInfo } from '../../../tui/model/types.ts';
import { drop, dns } from '../fixtures.ts';

const ep = (id: number, node: string, ipv4: string, status = 'ready'): EndpointInfo => ({
  node, id, identity: 16000 + id, labels: ['k8s:app=x', 'k8s:io.kubernetes.pod.namespace=default'], ipv4, ipv6: `fd00::${id}`,
  ingressEnforcement: id % 2 === 0, egressEnforcement: false, status,
});

test('endpoint rows: compact enforcement at 80 columns, both columns and IPv6 when wide', (t) => {
  const e = ep(2, 'node-1', '10.0.1.2');
  t.is(rowText(rowCells(layoutColumns(endpointColumns(), 80), e, plainTheme)).trimEnd(),
    'node-1            2    16002 I-  10.0.1.2        ready    app=x');
  const wide = rowText(rowCells(layoutColumns(endpointColumns(), 160), e, plainTheme));
  t.regex(wide, /Enabled +Disabled +10\.0\.1\.2 +fd00::2 +ready +app=x/);
  t.is(wide.length, 160);
});

test('labels drop the k8s: prefix and namespace labels', (t) => {
  t.is(labelsText(['k8s:app=x', 'reserved:host', 'k8s:io.kubernetes.pod.namespace=default', 'k8s:io.cilium.k8s.policy.cluster=default']), 'app=x reserved:host');
});

test('endpoints sort by any column, numbers and IPs numerically', (t) => {
  const list = [ep(10, 'b', '10.0.0.9'), ep(9, 'a', '10.0.0.10'), ep(100, 'a', '10.0.0.1', 'waiting')];
  t.deepEqual(sortEndpoints(list, 'id').map((e) => e.id), [9, 10, 100]);
  t.deepEqual(sortEndpoints(list, 'ipv4').map((e) => e.ipv4), ['10.0.0.1', '10.0.0.9', '10.0.0.10']);
  t.deepEqual(sortEndpoints(list, 'node').map((e) => e.id), [9, 100, 10]);
  t.deepEqual(sortEndpoints(list, 'status', true).map((e) => e.status), ['waiting', 'ready', 'ready']);
});

test('pressure bars and their colour', (t) => {
  t.is(pressureBar(0.5, 15), '█████░░░░░  50%');
  t.is(pressureBar(1.2, 10), '█████ 100%');
  t.is(pressureBar(Number.NaN, 8), '░░░   0%');
  t.deepEqual([0.1, 0.75, 0.95].map(pressureTone), ['ok', 'warn', 'bad']);
  const m: MapInfo = { node: 'node-1', name: 'netobs_ct4', type: 'lru_hash', entries: 58_000, maxEntries: 65_536, pressure: 58_000 / 65_536 };
  const cells = rowCells(layoutColumns(mapColumns(16), 80), m, colorTheme);
  t.regex(rowText(cells), /node-1 +netobs_ct4 +58\.0k\/65\.5k ██████████░  89%$/);
  t.is(cells.at(-1)?.color, 'yellow');
});

test('verdict rows', (t) => {
  const row = { key: 'default/rule1', allowed: 12_345, denied: 3, lastSeen: 2, lastDenied: 2, lastPort: 'TCP/80' };
  t.is(rowText(rowCells(layoutColumns(verdictColumns('POLICY'), 60), row, plainTheme)), 'default/rule1                    TCP/80       12.3k        3');
});

test('sparkline scales to the largest value shown', (t) => {
  t.is(sparkline([0, 1, 2, 4, 8], 5), '▁▁▂▄█');
  t.is(sparkline([0, 0], 4), '  ▁▁');
  t.is(sparkline([5, 5, 5], 2), '██');
  t.is(compactNumber(10_000), '10.0k');
  t.is(compactNumber(2_500_000), '2.5M');
});

test('flow detail shows every set field with named enums', (t) => {
  const fields = Object.fromEntries(flowFields(drop).map((l) => [l.key, l.value]));
  t.is(fields['verdict'], 'DROPPED');
  t.is(fields['drop_reason_desc'], 'POLICY_DENIED (Policy denied)');
  t.is(fields['source.pod_name'], 'xwing');
  t.is(fields['source.labels'], 'k8s:app.kubernetes.io/name=xwing, k8s:class=xwing, k8s:org=alliance');
  t.is(fields['l4.TCP.flags.SYN'], 'true');
  t.is(fields['is_reply'], 'false');
  t.is(fields['ingress_denied_by[0].name'], 'rule1');
  t.is(fields['time'], '2023-11-14T22:13:54.567000000Z');
  t.is(fields['IP.ipVersion'], 'IPv4');
  const lines = flowDetailLines(dns, { utc: true });
  t.regex(lines[0]!, /default\/xwing:40000 \(ID:16092\) <- kube-system\/coredns-5d78c9869d-x1:53 \(ID:102\)/);
  t.true(lines.some((l) => /^l7\.dns\.query +deathstar/.test(l)));
  t.true(lines.some((l) => /^l7\.type +RESPONSE/.test(l)));
});

test('wrap breaks at spaces and indents continuation lines', (t) => {
  const { wrap } = textModule;
  t.deepEqual(wrap('aaa bbb ccc ddd', 8, 2), ['aaa bbb', '  ccc', '  ddd']);
  t.deepEqual(wrap('short', 80), ['short']);
  t.deepEqual(wrap('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  for (const l of flowDetailLines(drop, { utc: true }, 60)) t.true(l.length <= 60, l);
});

test('paint: SGR per styled cell, inverse for the cursor row, none without colour', (t) => {
  const { paint, makeTheme } = textModule;
  t.is(paint([{ text: 'a', color: 'red' }, { text: ' ' }, { text: 'b', bold: true }]), '\x1b[31ma\x1b[39m \x1b[1mb\x1b[22m');
  t.is(paint([{ text: 'x', color: 'green' }], true), '\x1b[7m\x1b[32mx\x1b[39m\x1b[27m');
  t.is(paint([{ text: 'plain' }]), 'plain');
  t.false(makeTheme({ NO_COLOR: '1' }).color);
  t.false(makeTheme({ NO_COLOR: '1', FORCE_COLOR: '1' }).color, 'NO_COLOR wins');
  t.true(makeTheme({ FORCE_COLOR: '1' }, { isTTY: false }).color);
  t.false(makeTheme({ FORCE_COLOR: '0' }, { isTTY: true }).color);
  t.false(makeTheme({}, { isTTY: false }).color);
  t.true(makeTheme({}, { isTTY: true, hasColors: () => true }).color);
  t.false(makeTheme({}, { isTTY: true, hasColors: () => false }).color);
  t.is(makeTheme({ NO_COLOR: '' }).color, true, 'an empty NO_COLOR does not count');
});
