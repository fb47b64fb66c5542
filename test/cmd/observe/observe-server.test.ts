// observe end to end against a real gRPC observer server (the agent's handlers over a flow ring),
// reached with --server: the request, the filters and the printed output.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { observerService } from '../../../api/grpc.ts';
import { FlowRing } from '../../../agent/observer/ring.ts';
import { observerHandlers } from '../../../agent/observer/handlers.ts';
import { run, type Io } from '../../../cmd/cli.ts';
import { Verdict, type Flow } from '../../../api/types.ts';

function flow(i: number, verdict: Verdict, src: string, dst: string): Flow {
  return {
    time: { seconds: 1_795_000_000 + i, nanos: 0 },
    verdict,
    IP: { source: `10.244.1.${i}`, destination: '10.244.2.9', ipVersion: 1 },
    l4: { TCP: { source_port: 40000 + i, destination_port: 80, flags: { SYN: true } } },
    source: { namespace: 'default', pod_name: src, identity: 300, labels: [`k8s:app=${src}`] },
    destination: { namespace: 'default', pod_name: dst, identity: 301, labels: ['k8s:app=deathstar'] },
    Type: 1,
    node_name: 'node1',
    is_reply: { value: false },
    ...(verdict === Verdict.DROPPED ? { drop_reason_desc: 133, event_type: { type: 1, sub_type: 133 } } : { event_type: { type: 4, sub_type: 0 } }),
  };
}

async function withServer(fn: (address: string) => Promise<void>): Promise<void> {
  const ring = new FlowRing(100);
  ring.write({ flow: flow(1, Verdict.FORWARDED, 'tiefighter', 'deathstar-1'), node_name: 'node1' });
  ring.write({ flow: flow(2, Verdict.DROPPED, 'xwing', 'deathstar-1'), node_name: 'node1' });
  ring.write({ flow: flow(3, Verdict.FORWARDED, 'tiefighter', 'deathstar-2'), node_name: 'node1' });
  const server = new grpc.Server();
  const start = process.hrtime.bigint();
  server.addService(observerService, observerHandlers(ring, { name: 'node1', version: 'test', startedNs: start, nowNs: () => process.hrtime.bigint(), now: () => ({ seconds: Math.floor(Date.now() / 1000), nanos: 0 }) }));
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  try {
    await fn(`127.0.0.1:${port}`);
  } finally {
    server.forceShutdown();
  }
}

async function observe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const orig = process.stdout.write;
  process.stdout.write = ((s: string) => {
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  const io: Io = { out: (s) => (stdout += s), err: (s) => (stderr += s) };
  try {
    const code = await run(['observe', ...args], io);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = orig;
  }
}

test.serial('json: one GetFlowsResponse per line with pod names', async (t) => {
  await withServer(async (address) => {
    const r = await observe(['--server', address, '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { flow: { source: { pod_name: string }; verdict: string } });
    t.deepEqual(lines.map((l) => l.flow.source.pod_name), ['tiefighter', 'xwing', 'tiefighter']);
    t.is(lines[1]!.flow.verdict, 'DROPPED');
  });
});

test.serial('--verdict DROPPED keeps only drops, printed compact with the reason', async (t) => {
  await withServer(async (address) => {
    const r = await observe(['--server', address, '--verdict', 'DROPPED', '--utc']);
    t.is(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.is(lines.length, 1);
    t.regex(lines[0]!, /default\/xwing:40002 \(ID:300\) -> default\/deathstar-1:80 \(ID:301\) Policy denied DROPPED \(TCP Flags: SYN\)/);
  });
});

test.serial('--not --pod excludes a pod; --last limits', async (t) => {
  await withServer(async (address) => {
    const r = await observe(['--server', address, '--not', '--from-pod', 'default/xwing', '--last', '1', '-o', 'json']);
    t.is(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    t.is(lines.length, 1);
    t.regex(lines[0]!, /deathstar-2/);
  });
});

test.serial('an unreachable server is a one-line error', async (t) => {
  const r = await observe(['--server', '127.0.0.1:1']);
  t.is(r.code, 1);
  t.regex(r.stderr, /^error: observe: 127\.0\.0\.1:1 is unavailable/);
});
