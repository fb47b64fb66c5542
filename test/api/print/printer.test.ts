import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { FlowPrinter, compactLine, jsonLine, type OutputFormat, type PrintOptions } from '../../../api/print/printer.ts';
import { getFlowsResponseCodec } from '../../../api/codec.ts';
import { lostResponse, printerFlows, T0 } from '../fixtures.ts';
import type { GetFlowsResponse } from '../../../api/types.ts';

const GOLDEN = new URL('./golden/', import.meta.url);

function render(format: OutputFormat, options: PrintOptions): { out: string; err: string } {
  let out = '';
  let err = '';
  const p = new FlowPrinter(format, { out: (s) => (out += s), err: (s) => (err += s) }, { utc: true, ...options });
  const responses: GetFlowsResponse[] = [
    ...printerFlows.map((flow) => ({ flow, node_name: flow.node_name ?? '', time: flow.time ?? {} })),
    lostResponse,
    { node_status: { state_change: 1, node_names: ['node-3'] } },
    { node_status: { state_change: 2, node_names: ['node-2'], message: 'connection refused' } },
  ];
  for (const r of responses) p.write(r);
  p.close();
  return { out, err };
}

const golden = test.macro({
  exec(t, format: OutputFormat, options: PrintOptions, file: string) {
    const { out, err } = render(format, options);
    const path = new URL(file, GOLDEN);
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, out);
    t.is(out, readFileSync(path, 'utf8'));
    if (format !== 'json' && format !== 'jsonpb') t.is(err, 'NODE_UNAVAILABLE: node-2: connection refused\n');
  },
  title: (_t, format, options, file) => `${format} ${JSON.stringify(options)} matches golden ${file}`,
});

test(golden, 'compact', {}, 'compact.txt');
test(golden, 'compact', { nodeName: true, color: true }, 'compact-node-color.txt');
test(golden, 'dict', {}, 'dict.txt');
test(golden, 'dict', { nodeName: true }, 'dict-node.txt');
test(golden, 'table', {}, 'table.txt');
test(golden, 'table', { nodeName: true }, 'table-node.txt');
test(golden, 'jsonpb', {}, 'json.txt');
test(golden, 'json', {}, 'json.txt');

test('the seed\'s compact line, exactly', (t) => {
  t.is(compactLine(printerFlows[0] ?? {}, { utc: true }),
    'Jan  1 00:20:34.567: default/xwing:49610 (ID:16092) -> default/deathstar:80 (ID:16081) Policy denied DROPPED (TCP Flags: SYN)\n');
});

test('colour marks only the verdict', (t) => {
  const line = compactLine({ ...printerFlows[0], time: T0 }, { utc: true, color: true });
  t.true(line.includes('\x1b[31mDROPPED\x1b[0m'));
  t.is(line.replace('\x1b[31mDROPPED\x1b[0m', 'DROPPED'), compactLine({ ...printerFlows[0], time: T0 }, { utc: true }));
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

test('a decoded wire message prints like the original', (t) => {
  const res: GetFlowsResponse = { flow: printerFlows[1] ?? {}, node_name: 'node-1' };
  const decoded = getFlowsResponseCodec.decode(getFlowsResponseCodec.encode(res));
  t.is(compactLine(decoded.flow ?? {}, { utc: true }), compactLine(res.flow ?? {}, { utc: true }));
  t.is(jsonLine(decoded), jsonLine(res));
});
