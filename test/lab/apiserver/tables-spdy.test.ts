import test from 'ava';
import { humanDuration } from '../../../lab/apiserver/age.ts';
import { toTable } from '../../../lab/apiserver/tables.ts';
import { BUILTIN_RESOURCES } from '../../../lab/apiserver/resources.ts';
import { controlFrame, dataFrame, decodeHeaders, encodeHeaders, FrameReader, HeaderCodec, SPDY3_DICTIONARY, TYPE } from '../../../lab/apiserver/spdy.ts';
import { parseTarget } from '../../../lab/apiserver/routes.ts';
import zlib from 'node:zlib';

test('ages print like kubectl', (t) => {
  t.deepEqual([5, 119, 150, 600, 3 * 3600 + 60, 9 * 3600, 50 * 3600, 400 * 86400].map((s) => humanDuration(s * 1000)), ['5s', '119s', '2m30s', '10m', '3h1m', '9h', '2d2h', '400d']);
});

test('pod rows show ready counts, status reasons and wide columns', (t) => {
  const pods = BUILTIN_RESOURCES.find((r) => r.resource === 'pods')!;
  const now = Date.parse('2024-01-01T00:10:00Z');
  const pod = (status: object, extra: object = {}) => ({ metadata: { name: 'p', creationTimestamp: '2024-01-01T00:00:00Z', ...extra }, spec: { nodeName: 'node1', containers: [{ name: 'a' }, { name: 'b' }] }, status });
  const cells = (p: object) => (toTable(pods, [p as never], '1', { now }) as unknown as { rows: { cells: unknown[] }[] }).rows[0]!.cells;
  t.deepEqual(cells(pod({ phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ name: 'a', ready: true, state: { running: {} }, restartCount: 1 }, { name: 'b', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 2 }] })), ['p', '1/2', 'CrashLoopBackOff', '3', '10m', '10.0.0.1', 'node1', '<none>', '<none>']);
  t.is(cells(pod({ phase: 'Running' }, { deletionTimestamp: 'x' }))[2], 'Terminating');
  t.is(cells(pod({ phase: 'Pending', containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } }] }))[2], 'ImagePullBackOff');
});

test('routes cover namespaced, cluster-scoped, subresource and legacy watch paths', (t) => {
  t.like(parseTarget('/api/v1/namespaces/ns/pods/p/log'), { kind: 'object', namespace: 'ns', resource: 'pods', name: 'p', subresource: 'log' });
  t.like(parseTarget('/api/v1/namespaces/ns'), { kind: 'object', resource: 'namespaces', name: 'ns' });
  t.like(parseTarget('/api/v1/namespaces/ns/finalize'), { kind: 'object', resource: 'namespaces', name: 'ns', subresource: 'finalize' });
  t.like(parseTarget('/apis/apps/v1/watch/namespaces/ns/deployments'), { kind: 'object', group: 'apps', legacyWatch: true, namespace: 'ns' });
  t.like(parseTarget('/apis/apps'), { kind: 'group', group: 'apps' });
  t.like(parseTarget('/openapi/v3/apis/apps/v1'), { kind: 'openapi-v3', group: 'apps', version: 'v1' });
});

test('SPDY frames and header blocks round-trip through a Go-compatible zlib context', async (t) => {
  t.is(SPDY3_DICTIONARY.length, 1423);
  const headers = { streamtype: 'data', port: '8080', requestid: '0' };
  // A client compresses with the same dictionary: our inflater must read it.
  const client = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  const block = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    client.on('data', (d: Buffer) => chunks.push(d));
    client.write(encodeHeaders(headers));
    client.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(chunks)));
  });
  const codec = new HeaderCodec();
  t.deepEqual(decodeHeaders(await codec.inflate(block)), headers);
  const reader = new FrameReader();
  const syn = controlFrame(TYPE.SYN_STREAM, 0, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), block]));
  const data = dataFrame(1, 1, Buffer.from('hi'));
  const frames = [...reader.push(Buffer.concat([syn, data]).subarray(0, 5)), ...reader.push(Buffer.concat([syn, data]).subarray(5))];
  t.is(frames.length, 2);
  t.like(frames[0], { control: true, type: TYPE.SYN_STREAM });
  t.like(frames[1], { control: false, streamId: 1, flags: 1 });
  codec.close();
  client.close();
});
