// The flow exporter writes Hubble's export format to size-rotated files on the real filesystem;
// the files are read back with the project's ProtoJSON decoder (what `observe --input-file` and
// `hubble observe --input-file` read), and must hold exactly the filtered, masked flows, newest
// last, within the size and backup limits.
import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exporterConfig, type ExporterValues } from '../../../api/exporter-config.ts';
import { maskFlow } from '../../../api/filter/field-mask.ts';
import { fromProtoJson } from '../../../api/json-decode.ts';
import type { Flow, GetFlowsResponse } from '../../../api/types.ts';
import { FlowExporter } from '../../../agent/exporter/flow-exporter.ts';
import { observeFile } from '../../../cmd/observe/input-file.ts';
import { buildRequest } from '../../../cmd/observe/request.ts';

const values = (o: Partial<ExporterValues>): ExporterValues => ({
  enabled: true, filePath: '/var/run/netobs/flows/events.log', maxSizeMb: 10, maxBackups: 5, allowList: [], denyList: [], fieldMask: [], ...o,
});

const flow = (i: number): Flow => ({
  time: { seconds: 1_764_900_000 + i, nanos: (i % 7) * 1000 }, uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  verdict: i % 5 === 0 ? 2 : 1, IP: { source: '10.0.1.5', destination: '10.0.2.7', ipVersion: 1 },
  l4: { TCP: { source_port: 40000 + i, destination_port: i % 3 === 0 ? 53 : 8080, flags: { SYN: true } } },
  source: { identity: 300, namespace: i % 4 === 0 ? 'kube-system' : 'default', pod_name: `client-${i}`, labels: ['k8s:app=client'] },
  destination: { identity: 301, namespace: 'default', pod_name: 'server', labels: ['k8s:app=server'] },
  Type: 1, node_name: 'node-1', event_type: { type: 4, sub_type: 0 }, traffic_direction: 2, is_reply: { value: false },
  trace_observation_point: 1, Summary: 'TCP Flags: SYN',
});

const tmp = (t: { teardown(fn: () => void): void }): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

test('filtered, masked flows in rotated files read back in order, within the size and backup limits, and through observe --input-file', async (t) => {
  const dir = tmp(t);
  // Hubble's lists, as its Helm values take them: ProtoJSON strings and objects, enums by name.
  const cfg = exporterConfig(values({
    maxSizeMb: 4096 / (1024 * 1024), maxBackups: 2,
    allowList: ['{"source_pod":["default/"]}'], denyList: [{ verdict: ['DROPPED'] }, { destination_port: ['53'] }],
    fieldMask: ['time', 'uuid', 'verdict', 'source.namespace', 'source.pod_name', 'l4.TCP.destination_port', 'node_name'],
  }));
  let ms = Date.parse('2026-12-05T14:00:00Z');
  const exporter = new FlowExporter({ ...cfg, filePath: path.join(dir, 'events.log'), nodeName: 'node-1', now: () => new Date((ms += 1000)) });
  const flows = Array.from({ length: 400 }, (_, i) => flow(i));
  // Several flushes, as flows arrive over several turns of the event loop.
  for (let i = 0; i < flows.length; i += 50) {
    for (const f of flows.slice(i, i + 50)) exporter.export(f);
    exporter.flush();
  }
  exporter.close();

  const expected = flows.filter((f) => f.source?.namespace === 'default' && f.verdict !== 2 && f.l4?.TCP?.destination_port !== 53);
  const files = [...exporterBackups(dir), path.join(dir, 'events.log')];
  t.is(files.length, 3, 'two backups and the current file');
  for (const f of files) t.true(statSync(f).size <= 4096, `${f} within the maximum`);
  t.regex(path.basename(files[0]!), /^events-2026-12-05T14-00-\d\d\.000\.log$/);

  const read: GetFlowsResponse[] = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => fromProtoJson<GetFlowsResponse>('observer.GetFlowsResponse', JSON.parse(l))));
  t.true(read.length > 10 && read.length < expected.length, 'the oldest flows went with the removed backups');
  // The files end with the newest flows, complete and in order.
  const tail = expected.slice(-read.length);
  t.deepEqual(read.map((r) => r.flow), tail.map((f) => maskFlow(f, cfg.fieldMask)));
  t.true(read.every((r) => r.node_name === 'node-1' && r.time !== undefined));
  t.deepEqual(read.at(-1)?.time, tail.at(-1)?.time);

  const m = exporter.registry;
  t.is(m.get('netobs_flow_export_flows_total')?.value(), expected.length);
  t.true((m.get('netobs_flow_export_rotations_total')?.value() ?? 0) >= 3);
  t.regex(m.expose(), /^netobs_flow_export_bytes_total \d+$/m);

  // `observe --input-file` reads each rotated file back, with the request's rules applied.
  for (const f of files) {
    const inFile: GetFlowsResponse[] = [];
    await observeFile(f, buildRequest({ all: true }, []), (r) => inFile.push(r));
    t.deepEqual(inFile, readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => fromProtoJson<GetFlowsResponse>('observer.GetFlowsResponse', JSON.parse(l))));
  }
  const newest = read.at(-1)!.flow!;
  const picked: GetFlowsResponse[] = [];
  await observeFile(files.at(-1)!, buildRequest({ all: true }, ['--from-pod', `default/${newest.source?.pod_name}`]), (r) => picked.push(r));
  t.deepEqual(picked.map((r) => r.flow), [newest]);
  const last2: GetFlowsResponse[] = [];
  await observeFile(files.at(-1)!, buildRequest({ last: 2 }, []), (r) => last2.push(r));
  t.deepEqual(last2.map((r) => r.flow), read.slice(-2).map((r) => r.flow));
});

/** The backups, oldest first (their names sort by time). */
const exporterBackups = (dir: string): string[] => readdirSync(dir).filter((n) => /^events-.*\.log$/.test(n)).sort().map((n) => path.join(dir, n));

test('a full queue drops flows and counts them; the agent is never held up by the disk', (t) => {
  const dir = tmp(t);
  const exporter = new FlowExporter({ ...exporterConfig(values({})), filePath: path.join(dir, 'events.log'), nodeName: 'n', queueBytes: 2000 });
  for (let i = 0; i < 20; i++) exporter.export(flow(i));
  exporter.close();
  const written = readFileSync(path.join(dir, 'events.log'), 'utf8').split('\n').filter(Boolean).length;
  const dropped = exporter.registry.get('netobs_flow_export_dropped_total')?.value(['queue_full']) ?? 0;
  t.true(written > 0 && dropped > 0);
  t.is(written + dropped, 20);
});

test('a failing disk drops flows as write errors, logs once, and recovers', (t) => {
  const dir = tmp(t);
  const blocker = path.join(dir, 'flows');
  writeFileSync(blocker, 'a file where the directory should be');
  const logs: string[] = [];
  const exporter = new FlowExporter({ ...exporterConfig(values({})), filePath: path.join(blocker, 'events.log'), nodeName: 'n', log: (m) => logs.push(m) });
  for (let i = 0; i < 3; i++) {
    exporter.export(flow(i));
    exporter.flush();
  }
  t.is(exporter.registry.get('netobs_flow_export_dropped_total')?.value(['write_error']), 3);
  t.is(logs.length, 1);
  t.regex(logs[0]!, /^flow export to .*events\.log: .*; dropping flows until a write succeeds$/);
  rmSync(blocker);
  exporter.export(flow(3));
  exporter.close();
  t.is(readFileSync(path.join(blocker, 'events.log'), 'utf8').split('\n').filter(Boolean).length, 1);
});

const rejects = test.macro({
  exec(t, v: Partial<ExporterValues>, message: RegExp) {
    t.throws(() => exporterConfig(values(v)), { message });
  },
  title: (_t, v) => `refuses ${JSON.stringify(v)}`,
});
test(rejects, { filePath: '/etc/events.log' }, /^filePath: "\/etc\/events\.log" must be a file under \/var\/run\/netobs\//);
test(rejects, { allowList: [{ source_podd: ['x'] }] }, /^allowList\[0\]: FlowFilter has no field "source_podd"$/);
test(rejects, { denyList: ['{"verdict":["MAYBE"]}'] }, /^denyList\[0\]\.verdict\[0\]: "MAYBE" is not a Verdict/);
test(rejects, { allowList: ['{not json'] }, /^allowList\[0\]: not JSON: /);
test(rejects, { fieldMask: ['source.pod'] }, /^fieldMask: "source\.pod": Endpoint has no field "pod"$/);
test(rejects, { maxBackups: -1 }, /^maxBackups: -1 must be an integer/);
