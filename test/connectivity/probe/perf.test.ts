// probe perf against the echo role in process: real throughput over TCP and real UDP round
// trips, so the numbers are measured, not made up; and an unreachable target is a result.
import test from 'ava';
import { startEcho } from '../../../roles/echo-server.ts';
import { bytesFromPath } from '../../../roles/echo-server.ts';
import { percentile, probePerf } from '../../../connectivity/probe/perf.ts';

test('the echo role streams /bytes/N, and only that path', (t) => {
  t.is(bytesFromPath('/bytes/1048576'), 1048576);
  t.is(bytesFromPath('/bytes/0'), 0);
  t.is(bytesFromPath('/bytes/'), undefined);
  t.is(bytesFromPath('/bytes/99999999999999'), undefined);
  t.is(bytesFromPath('/status/200'), undefined);
});

test('throughput and latency against a local echo are measured and positive', async (t) => {
  const echo = await startEcho({ port: 0, host: '127.0.0.1' });
  try {
    const r = await probePerf(`127.0.0.1:${echo.port}`, 300);
    t.true(r.ok, r.error);
    t.true(r.throughput!.bytes > 0 && r.throughput!.seconds > 0 && r.throughput!.bitsPerSecond > 0);
    const l = r.latency!;
    t.true(l.samples > 10, `${l.samples} samples`);
    t.true(l.minUs > 0 && l.minUs <= l.p50Us && l.p50Us <= l.p90Us && l.p90Us <= l.p99Us && l.p99Us <= l.maxUs);
  } finally {
    await echo.close();
  }
});

test('nothing listening is a failed result, not a throw', async (t) => {
  const r = await probePerf('127.0.0.1:1', 200);
  t.false(r.ok);
  t.regex(r.error!, /ECONNREFUSED|refused/i);
});

test('percentiles are nearest-rank', (t) => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  t.is(percentile(xs, 50), 50);
  t.is(percentile(xs, 99), 99);
  t.is(percentile([7], 99), 7);
  t.is(percentile([], 50), 0);
});
