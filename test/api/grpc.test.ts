import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { ObserverClient, observerService, unimplementedStream, type ObserverHandlers } from '../../api/grpc.ts';
import type { GetFlowsRequest, GetFlowsResponse } from '../../api/types.ts';

async function withServer(handlers: ObserverHandlers, fn: (client: ObserverClient) => Promise<void>): Promise<void> {
  const server = new grpc.Server();
  server.addService(observerService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const client = new ObserverClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    await fn(client);
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }
}

test('observer.Observer serves all four methods over grpc-js', async (t) => {
  let seenRequest: GetFlowsRequest | undefined;
  await withServer({
    GetAgentEvents: unimplementedStream('test'),
    GetDebugEvents: unimplementedStream('test'),
    GetFlows(call) {
      seenRequest = call.request;
      for (let i = 0; i < 3; i++) call.write({ flow: { verdict: 1, node_name: 'n1', Summary: `flow ${i}` }, node_name: 'n1' });
      call.write({ lost_events: { source: 3, num_events_lost: 2 } });
      call.end();
    },
    ServerStatus(_call, cb) {
      cb(null, { num_flows: 3, max_flows: 4095, seen_flows: 3, version: 'netobs', num_connected_nodes: { value: 1 } });
    },
    GetNodes(_call, cb) {
      cb(null, { nodes: [{ name: 'n1', state: 1 }] });
    },
    GetNamespaces(_call, cb) {
      cb(null, { namespaces: [{ namespace: 'default' }] });
    },
  }, async (client) => {
    const got: GetFlowsResponse[] = [];
    for await (const res of client.getFlows({ number: 3, whitelist: [{ verdict: [1] }] })) got.push(res as GetFlowsResponse);
    t.deepEqual(seenRequest, { number: 3, whitelist: [{ verdict: [1] }] });
    t.is(got.length, 4);
    t.is(got[2]?.flow?.Summary, 'flow 2');
    t.deepEqual(got[3], { lost_events: { source: 3, num_events_lost: 2 } });
    t.like(await client.serverStatus(), { num_flows: 3, max_flows: 4095, num_connected_nodes: { value: 1 } });
    t.deepEqual(await client.getNodes(), { nodes: [{ name: 'n1', state: 1 }] });
    t.deepEqual(await client.getNamespaces(), { namespaces: [{ namespace: 'default' }] });
  });
});

test('a server error reaches the client as a grpc status', async (t) => {
  await withServer({
    GetAgentEvents: unimplementedStream('test'),
    GetDebugEvents: unimplementedStream('test'),
    GetFlows(call) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'invalid filter' });
    },
    ServerStatus(_c, cb) { cb({ code: grpc.status.UNAVAILABLE, details: 'no nodes' }); },
    GetNodes(_c, cb) { cb(null, {}); },
    GetNamespaces(_c, cb) { cb(null, {}); },
  }, async (client) => {
    const err = await t.throwsAsync(async () => {
      for await (const _ of client.getFlows({})) { /* drain */ }
    });
    t.is((err as grpc.ServiceError).code, grpc.status.INVALID_ARGUMENT);
    const err2 = await t.throwsAsync(client.serverStatus());
    t.is((err2 as grpc.ServiceError).code, grpc.status.UNAVAILABLE);
  });
});
