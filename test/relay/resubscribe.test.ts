// The relay's follow outlives agent restarts: fake agents are real gRPC servers (observer.Observer
// on a TCP port) that crash and come back on the same port, and nodes join and leave the pool
// mid-stream. The client sees NODE_UNAVAILABLE when a node's stream breaks, NODE_CONNECTED when
// the relay has re-subscribed, and the node's flows again after that.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { ObserverClient, observerService } from '../../api/grpc.ts';
import { NodeState, type GetFlowsResponse } from '../../api/types.ts';
import { FakeAgent, Reader } from './support/fake-agent.ts';
import { listenGrpc, serverCredentials } from '../../lib/listen.ts';
import { PeerPool } from '../../relay/peers.ts';
import { relayObserverHandlers } from '../../relay/server.ts';

const flowOf = (node: string, life?: number) => (e: GetFlowsResponse): boolean =>
  e.flow?.node_name === node && (life === undefined || (e.flow.Summary ?? '').startsWith(`${node}#${life}.`));
const statusOf = (state: NodeState, node: string) => (e: GetFlowsResponse): boolean =>
  e.node_status?.state_change === state && (e.node_status.node_names ?? []).includes(node);

test('a follow re-subscribes to a restarted agent and takes in agents that join mid-stream', async (t) => {
  const a = new FakeAgent('node-a');
  const b = new FakeAgent('node-b');
  const c = new FakeAgent('node-c');
  await a.start();
  await b.start();
  await c.start();
  const pool = new PeerPool();
  pool.set([{ node: 'node-a', address: a.address }, { node: 'node-b', address: b.address }]);
  const relay = await listenGrpc([{ definition: observerService, handlers: relayObserverHandlers(pool, 'relay-test') }], [{ address: '127.0.0.1:0', credentials: serverCredentials() }]);
  const client = new ObserverClient(`127.0.0.1:${relay.ports[0]}`, grpc.credentials.createInsecure());
  const call = client.getFlows({ follow: true });
  const r = new Reader(call);
  try {
    await Promise.all([r.next('flow of node-a', flowOf('node-a')), r.next('flow of node-b', flowOf('node-b'))]);

    // node-b's agent dies: reported once, node-a goes on without waiting for it.
    const down = r.next('NODE_UNAVAILABLE node-b', statusOf(NodeState.NODE_UNAVAILABLE, 'node-b'));
    b.crash();
    const iDown = await down;
    await r.next('flow of node-a while node-b is down', flowOf('node-a'));

    // It comes back on the same address: NODE_CONNECTED, then its new life's flows.
    const up = r.next('NODE_CONNECTED node-b', statusOf(NodeState.NODE_CONNECTED, 'node-b'));
    const again = r.next('flow of node-b after the restart', flowOf('node-b', 2));
    await b.start();
    const iUp = await up;
    const iAgain = await again;
    t.true(iDown < iUp && iUp < iAgain, 'UNAVAILABLE, then CONNECTED, then flows');
    t.is(r.events.slice(iDown).filter(statusOf(NodeState.NODE_UNAVAILABLE, 'node-b')).length, 1, 'one UNAVAILABLE for the whole outage');

    // An agent discovered mid-stream joins the follow; one that leaves is reported.
    const joined = r.next('NODE_CONNECTED node-c', statusOf(NodeState.NODE_CONNECTED, 'node-c'));
    const cFlow = r.next('flow of node-c', flowOf('node-c'));
    pool.set([{ node: 'node-a', address: a.address }, { node: 'node-b', address: b.address }, { node: 'node-c', address: c.address }]);
    t.true((await joined) < (await cFlow));

    const left = r.next('NODE_UNAVAILABLE node-c', statusOf(NodeState.NODE_UNAVAILABLE, 'node-c'));
    pool.set([{ node: 'node-a', address: a.address }, { node: 'node-b', address: b.address }]);
    c.crash();
    await left;
    await Promise.all([r.next('flow of node-a at the end', flowOf('node-a')), r.next('flow of node-b at the end', flowOf('node-b', 2))]);
  } finally {
    call.cancel();
    client.close();
    await relay.close();
    pool.close();
    a.crash();
    b.crash();
    c.crash();
  }
});
