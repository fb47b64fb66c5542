// The flow source against a real observer.Observer gRPC server: the agent's own handlers over a
// flow ring, so filters and time windows are evaluated exactly as in the cluster.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { ObserverClient, observerService } from '../../../api/grpc.ts';
import { observerHandlers } from '../../../agent/observer/handlers.ts';
import { FlowRing } from '../../../agent/observer/ring.ts';
import { observerFlowSource, toTimestamp } from '../../../connectivity/adapters/relay-flow-source.ts';
import { flowFilters, flowSides } from '../../../connectivity/framework/flow-match.ts';
import { action, okResult, tcpConnection } from '../helpers.ts';

async function serve(ring: FlowRing) {
  const server = new grpc.Server();
  server.addService(observerService, observerHandlers(ring, {
    name: 'node-1', version: 'test', startedNs: 0n, nowNs: () => 0n, now: () => ({ seconds: 0 }),
  }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = new ObserverClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { client, close: () => { client.close(); server.forceShutdown(); } };
}

const at = (seconds: number) => (f: ReturnType<typeof tcpConnection>[number]) => ({ ...f, time: { seconds, nanos: f.time?.nanos ?? 0 } });

test('returns the action\'s flows in the window, filtered by the relay', async (t) => {
  const ring = new FlowRing(100);
  const mine = tcpConnection('10.0.1.10', 40000, '10.0.1.20', 8080).map(at(1000));
  const old = tcpConnection('10.0.1.10', 39999, '10.0.1.20', 8080).map(at(900));
  const other = tcpConnection('10.0.9.9', 40000, '10.0.1.20', 8080).map(at(1000));
  for (const f of [...old, ...mine, ...other]) ring.write({ flow: f, node_name: 'node-1' });
  const { client, close } = await serve(ring);
  try {
    const source = observerFlowSource(client);
    const flows = await source.getFlows({
      whitelist: flowFilters(flowSides(action('http'), okResult())),
      since: new Date(999_000), until: new Date(1_001_000),
    });
    t.deepEqual(flows, mine);
  } finally {
    close();
  }
});

test('a bad filter is an error naming GetFlows', async (t) => {
  const { client, close } = await serve(new FlowRing(10));
  try {
    await t.throwsAsync(observerFlowSource(client).getFlows({ whitelist: [{ source_port: ['not-a-port'] }], since: new Date(0), until: new Date(1) }), { message: /^GetFlows: / });
  } finally {
    close();
  }
});

test('timestamps', (t) => {
  t.deepEqual(toTimestamp(new Date(1_700_000_000_123)), { seconds: 1_700_000_000, nanos: 123_000_000 });
});
