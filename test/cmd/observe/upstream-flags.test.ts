// observe's flags added for hubble parity: --uuid, --http-header, --interface, --trace-id into
// FlowFilter fields; --allowlist/--denylist as JSON FlowFilters (a field that does not exist is
// an error, never dropped); --input-file reads `-o json` lines and answers as the relay would.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRequest } from '../../../cmd/observe/request.ts';
import { observeFile } from '../../../cmd/observe/input-file.ts';
import { jsonLine } from '../../../api/print/json-line.ts';
import { compactLine } from '../../../api/print/printer.ts';
import type { Flow, GetFlowsResponse } from '../../../api/types.ts';

test('the new filter flags become FlowFilter fields', (t) => {
  const req = buildRequest({}, ['--uuid', 'u-1', '--http-header', 'x-user:alice:1', '--interface', 'lxc12', '--trace-id', 'abc']);
  t.deepEqual(req.whitelist, [{ uuid: ['u-1'], http_header: [{ key: 'x-user', value: 'alice:1' }], interface: [{ name: 'lxc12' }], trace_id: ['abc'] }]);
  t.throws(() => buildRequest({}, ['--http-header', 'novalue']), { message: /--http-header "novalue": use key:value/ });
});

test('--allowlist and --denylist take JSON FlowFilters, enums by name, and refuse unknown fields', (t) => {
  const req = buildRequest({ allowlist: ['{"source_pod":["kube-system/"],"verdict":["DROPPED"]}'], denylist: ['{"destinationPort":["53"]}'] }, []);
  t.deepEqual(req.whitelist, [{ source_pod: ['kube-system/'], verdict: [2] }]);
  t.deepEqual(req.blacklist, [{ destination_port: ['53'] }]);
  t.throws(() => buildRequest({ allowlist: ['{"source_podz":["x"]}'] }, []), { message: /source_podz: FlowFilter has no such field/ });
  t.throws(() => buildRequest({ allowlist: ['{"verdict":["MAYBE"]}'] }, []), { message: /MAYBE/ });
});

const flow = (i: number, verdict: 1 | 2): Flow => ({
  time: { seconds: 1_700_000_000 + i, nanos: 5_000_000 }, verdict, node_name: 'node-a', uuid: `u-${i}`,
  IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 1 }, l4: { TCP: { source_port: 1000 + i, destination_port: 80, flags: { SYN: true } } },
  source: { namespace: 'default', pod_name: 'client', identity: 1234 }, destination: { namespace: 'default', pod_name: 'server', identity: 5678 },
  event_type: { type: verdict === 2 ? 1 : 4 }, is_reply: { value: false }, Summary: 'TCP Flags: SYN',
});

test('--input-file answers from a file of -o json lines with the request rules', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-input-'));
  try {
    const events: GetFlowsResponse[] = [0, 1, 2, 3, 4].map((i) => ({ flow: flow(i, i % 2 ? 2 : 1), node_name: 'node-a', time: flow(i, 1).time }));
    const file = path.join(dir, 'flows.json');
    writeFileSync(file, events.map(jsonLine).join(''));
    const got: GetFlowsResponse[] = [];
    await observeFile(file, buildRequest({ last: 1 }, ['--verdict', 'DROPPED']), (r) => got.push(r));
    t.deepEqual(got.map((r) => r.flow?.uuid), ['u-3']);
    t.is(compactLine(got[0]?.flow ?? {}, { timeFormat: 'RFC3339' }).split(':')[0], '2023-11-14T22');
    const all: GetFlowsResponse[] = [];
    await observeFile(file, buildRequest({ all: true }, []), (r) => all.push(r));
    t.deepEqual(all.map((r) => r.flow), events.map((e) => e.flow), 'round trip through JSON keeps every field');
    writeFileSync(file, '{"flow":{"nope":1}}\n');
    await t.throwsAsync(observeFile(file, {}, () => undefined), { message: /line 1: flow.nope: Flow has no such field/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--print-policy-names names the policies of a policy verdict', (t) => {
  const f: Flow = { ...flow(0, 1), event_type: { type: 5 }, traffic_direction: 1, ingress_allowed_by: [{ name: 'allow-web', namespace: 'default', kind: 'NetworkPolicy' }] };
  t.regex(compactLine(f, { policyNames: true }), / ALLOWED BY allow-web \(NetworkPolicy\) /);
  t.regex(compactLine(f, {}), / ALLOWED \(/);
});

test('--numeric prints addresses instead of names', (t) => {
  t.regex(compactLine(flow(0, 1), { ipTranslation: false }), /10\.0\.0\.1:1000 .* -> 10\.0\.0\.2:80/);
});
