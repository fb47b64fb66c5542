import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { FlowPrinter, compactLine, dictBlock, jsonLine, joinWithCutOff, nodeStatusLine, type OutputFormat, type PrintOptions } from '../../../api/print/printer.ts';
import { getFlowsResponseCodec } from '../../../api/codec.ts';
import { lostResponse, printerEdgeFlows, printerFlows, T0 } from '../fixtures.ts';
import type { Flow, GetFlowsResponse } from '../../../api/types.ts';

const GOLDEN = new URL('./golden/', import.meta.url);

const statusConnected: GetFlowsResponse = { node_status: { state_change: 1, node_names: ['node-3'] }, time: T0, node_name: 'relay' };
const statusUnavailable: GetFlowsResponse = { node_status: { state_change: 2, node_names: ['node-2'], message: 'connection refused' }, time: T0, node_name: 'relay' };

function render(format: OutputFormat, options: PrintOptions): { out: string; err: string } {
  let out = '';
  let err = '';
  const p = new FlowPrinter(format, { out: (s) => (out += s), err: (s) => (err += s) }, options);
  const responses: GetFlowsResponse[] = [
    ...[...printerFlows, ...printerEdgeFlows].map((flow) => ({ flow, node_name: flow.node_name ?? '', time: flow.time ?? {} })),
    lostResponse,
    statusConnected,
    statusUnavailable,
  ];
  for (const r of responses) p.write(r);
  p.close();
  return { out, err };
}

const golden = test.macro({
  exec(t, format: OutputFormat, options: PrintOptions, file: string) {
    const { out, err } = render(format, options);
    const text = `${out}--- stderr ---\n${err}`;
    const path = new URL(file, GOLDEN);
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, text);
    t.is(text, readFileSync(path, 'utf8'));
  },
  title: (_t, format, options, file) => `${format} ${JSON.stringify(options)} matches golden ${file}`,
});

test(golden, 'compact', {}, 'compact.txt');
test(golden, 'compact', { nodeName: true, color: true }, 'compact-node-color.txt');
test(golden, 'dict', {}, 'dict.txt');
test(golden, 'dict', { nodeName: true }, 'dict-node.txt');
test(golden, 'table', {}, 'table.txt');
test(golden, 'table', { nodeName: true, color: true }, 'table-node.txt');
test(golden, 'jsonpb', {}, 'json.txt');
test(golden, 'json', {}, 'json.txt');
test(golden, 'compact', { debug: true, timeFormat: 'RFC3339Nano', ipTranslation: false }, 'compact-debug-numeric.txt');

test('the seed\'s compact line, exactly', (t) => {
  t.is(compactLine(printerFlows[0] ?? {}),
    'Jan  1 00:20:34.567: default/xwing:49610 (ID:16092) -> default/deathstar:80 (ID:16081) Policy denied DROPPED (TCP Flags: SYN)\n');
});

test('colour wraps hosts (cyan), ports (yellow), identities (magenta) and the verdict', (t) => {
  const line = compactLine({ ...printerFlows[0], time: T0 }, { color: true });
  t.true(line.includes('\x1b[36mdefault/xwing:\x1b[33m49610\x1b[0m\x1b[0m'));
  t.true(line.includes('\x1b[35m(ID:16092)\x1b[0m'));
  t.true(line.includes('\x1b[31mDROPPED\x1b[0m'));
  t.is(line.replace(/\x1b\[\d+m/g, ''), compactLine({ ...printerFlows[0], time: T0 }));
});

test('flow data cannot send terminal escapes: ESC prints as ^[ and CR as \\r', (t) => {
  const flow: Flow = { ...printerFlows[0], source: { identity: 300, namespace: 'default', pod_name: 'evil\x1b[2J\rpod' } };
  const line = compactLine(flow, { color: true });
  t.true(line.includes('default/evil^[[2J\\rpod'));
  t.false(line.includes('\r'));
  t.true(dictBlock(flow).includes('SOURCE: default/evil^[[2J\\rpod'));
});

test('times are UTC in hubble\'s StampMilli by default, with the other --time-format layouts', (t) => {
  const flow: Flow = { ...printerFlows[0], time: { seconds: 1700000000, nanos: 123_456_789 } };
  const at = (timeFormat?: string): string => compactLine(flow, timeFormat ? { timeFormat } : {}).split(': ')[0] ?? '';
  t.is(at(), 'Nov 14 22:13:20.123');
  t.is(at('RFC3339'), '2023-11-14T22:13:20Z');
  t.is(at('rfc3339milli'), '2023-11-14T22:13:20.123Z');
  t.is(at('RFC3339Micro'), '2023-11-14T22:13:20.123456Z');
  t.is(at('RFC3339Nano'), '2023-11-14T22:13:20.123456789Z');
  t.is(at('RFC1123Z'), 'Tue, 14 Nov 2023 22:13:20 +0000');
  t.is(at('YearMonthDay'), '2023-11-14');
  t.is(compactLine({ ...flow, time: { seconds: 1700000000, nanos: 100_000_000 } }, { timeFormat: 'RFC3339Micro' }).slice(0, 22), '2023-11-14T22:13:20.1Z');
  t.is(compactLine({ ...flow, time: undefined }).slice(0, 5), 'N/A: ');
  t.is(compactLine({ ...flow, time: { seconds: 1, nanos: 2e9 } }).slice(0, 5), 'N/A: ');
});

test('hosts: service namespace wins, DNS names join with commas, bare IPs and IPv6 brackets, --ip-translation=false', (t) => {
  const base: Flow = { time: T0, IP: { source: 'fd00::1', destination: '10.0.0.1' }, l4: { TCP: { source_port: 1, destination_port: 2 } }, is_reply: { value: false } };
  t.regex(compactLine({ ...base, source: { pod_name: 'p', namespace: 'a' }, source_service: { name: 's', namespace: 'b' } }), /: b\/p:1 /);
  t.regex(compactLine({ ...base, destination_names: ['x.example', 'y.example'] }), /-> x\.example,y\.example:2 /);
  t.regex(compactLine(base), /: \[fd00::1\]:1 \(unknown\) -> 10\.0\.0\.1:2 /);
  t.regex(compactLine({ ...base, source: { pod_name: 'p', namespace: 'a' } }, { ipTranslation: false }), /: \[fd00::1\]:1 /);
  t.regex(compactLine({ time: T0, ethernet: { source: 'aa', destination: 'bb' } }), /: aa \(unknown\) <> bb \(unknown\) UNKNOWN VERDICT_UNKNOWN \(Ethernet\)/);
});

test('node status lines: unavailable and error always, connected and gone with debug only', (t) => {
  t.is(nodeStatusLine(statusUnavailable), 'Jan  1 00:20:34.567 [relay]: 1 nodes are unavailable: node-2\n');
  t.is(nodeStatusLine({ ...statusUnavailable, node_status: { state_change: 4, node_names: ['a', 'b'], message: 'tls: "bad"' } }),
    'Jan  1 00:20:34.567 [relay]: Error "tls: \\"bad\\"" on 2 nodes: a, b\n');
  t.is(nodeStatusLine({ node_status: { state_change: 3, node_names: ['n'] } }), 'N/A []: 1 nodes removed from cluster: n\n');
  let err = '';
  const p = new FlowPrinter('compact', { out: () => t.fail(), err: (s) => (err += s) });
  p.write(statusConnected);
  t.is(err, '');
});

test('node names past 50 characters are cut off', (t) => {
  const names = Array.from({ length: 8 }, (_, i) => `worker-node-${i}`);
  t.is(joinWithCutOff(names, ', ', 50), 'worker-node-0, worker-node-1, worker-node-2 (and 5 more)');
  t.is(joinWithCutOff(['a-very-long-node-name-that-is-longer-than-fifty-characters'], ', ', 50), 'a-very-long-node-name-that-is-longer-than-fifty-characters');
});

test('json lines hold proto field names, enum names and 64-bit numbers as strings', (t) => {
  const line = jsonLine({ flow: printerFlows[6] ?? {}, node_name: 'node-1' });
  const parsed = JSON.parse(line) as { flow: Record<string, any>; node_name: string };
  t.is(parsed.flow.l7.type, 'RESPONSE');
  t.is(parsed.flow.l7.latency_ns, '4200000');
  t.is(parsed.flow.source.pod_name, 'deathstar');
  t.is(parsed.flow.traffic_direction, 'EGRESS');
  t.is(parsed.flow.is_reply, true);
  t.is(parsed.node_name, 'node-1');
  t.true(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
});

test('json escapes <, > and & as Go\'s encoder does', (t) => {
  const url = 'http://a/b?x=1&y=<2>';
  const line = jsonLine({ flow: { l7: { type: 1, http: { url } } } });
  t.true(line.includes('"url":"http://a/b?x=1\\u0026y=\\u003c2\\u003e"'));
  t.is((JSON.parse(line) as { flow: { l7: { http: { url: string } } } }).flow.l7.http.url, url);
});

test('a decoded wire message prints like the original', (t) => {
  const res: GetFlowsResponse = { flow: printerFlows[1] ?? {}, node_name: 'node-1' };
  const decoded = getFlowsResponseCodec.decode(getFlowsResponseCodec.encode(res));
  t.is(compactLine(decoded.flow ?? {}), compactLine(res.flow ?? {}));
  t.is(jsonLine(decoded), jsonLine(res));
});
