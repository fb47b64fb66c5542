import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { ObserverClient, observerService } from '../../../api/grpc.ts';
import { observerHandlers } from '../../../agent/observer/handlers.ts';
import { FlowRing } from '../../../agent/observer/ring.ts';
import type { GetFlowsResponse } from '../../../api/types.ts';

async function serve(ring: FlowRing): Promise<{ client: ObserverClient; close: () => Promise<void> }> {
  const server = new grpc.Server();
  let ns = 0n;
  server.addService(observerService, observerHandlers(ring, {
    name: 'node-1', version: 'netobs test', startedNs: 0n, nowNs: () => (ns += 1000n), now: () => ({ seconds: 1010 }),
  }));
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const client = new ObserverClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { client, close: async () => { client.close(); server.forceShutdown(); } };
}

const flow = (i: number, ns = 'default'): GetFlowsResponse => ({
  flow: { time: { seconds: 1000 + i }, verdict: i % 2 ? 2 : 1, source: { namespace: ns }, Summary: `f${i}` }, time: { seconds: 1000 + i },
});

test('serves the ring over grpc: history with filters, status, nodes, namespaces', async (t) => {
  const ring = new FlowRing(100);
  for (let i = 0; i < 10; i++) ring.write(flow(i, i < 5 ? 'shop' : 'default'));
  const { client, close } = await serve(ring);
  try {
    const got: GetFlowsResponse[] = [];
    for await (const r of client.getFlows({ number: 3, whitelist: [{ verdict: [2] }] })) got.push(r as GetFlowsResponse);
    t.deepEqual(got.map((r) => r.flow?.Summary), ['f5', 'f7', 'f9']);
    t.true(got.every((r) => r.node_name === 'node-1'));
    t.like(await client.serverStatus(), { num_flows: 10, max_flows: 100, seen_flows: 10, version: 'netobs test', flows_rate: 10 / 60 });
    t.like((await client.getNodes()).nodes?.[0], { name: 'node-1', state: 1, num_flows: 10 });
    t.deepEqual(await client.getNamespaces(), { namespaces: [{ namespace: 'default' }, { namespace: 'shop' }] });
  } finally {
    await close();
  }
});

test('a bad filter is INVALID_ARGUMENT; follow streams until cancelled', async (t) => {
  const ring = new FlowRing(100);
  const { client, close } = await serve(ring);
  try {
    const err = await t.throwsAsync(async () => {
      for await (const _ of client.getFlows({ whitelist: [{ source_ip: ['not-an-ip'] }] })) { /* drain */ }
    });
    t.is((err as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
    t.regex((err as grpc.ServiceError).details, /source_ip "not-an-ip"/);

    // since makes the answer independent of when the server starts following.
    const call = client.getFlows({ follow: true, since: { seconds: 0 } });
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      call.on('data', (r: GetFlowsResponse) => {
        got.push(r.flow?.Summary ?? '?');
        if (got.length === 3) call.cancel();
      });
      call.on('error', () => resolve());
      call.on('end', () => resolve());
    });
    for (let i = 0; i < 3; i++) ring.write(flow(i));
    await done;
    t.deepEqual(got, ['f0', 'f1', 'f2']);
  } finally {
    await close();
  }
});
