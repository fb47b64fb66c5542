// The UI's flow source through the relay outlives an agent restart: the relay reports the node
// unavailable, re-subscribes when it is back, and the UI's live view gets that node's new flows
// without reconnecting (fake agents are real gRPC servers that crash and restart on their port).
import test from 'ava';
import { RelayApi, type RelayFlags } from '../../../cmd/relay-api.ts';
import { RelaySource } from '../../../cmd/ui/relay-source.ts';
import { NodeState, type Flow, type NodeStatusEvent } from '../../../api/types.ts';
import { listenGrpc, serverCredentials } from '../../../lib/listen.ts';
import { observerService } from '../../../api/grpc.ts';
import { PeerPool } from '../../../relay/peers.ts';
import { relayObserverHandlers } from '../../../relay/server.ts';
import { FakeAgent } from '../../relay/support/fake-agent.ts';

test('the UI keeps showing a node whose agent restarts, and a node that joins', async (t) => {
  const a = new FakeAgent('node-a');
  const b = new FakeAgent('node-b');
  const c = new FakeAgent('node-c');
  for (const x of [a, b, c]) await x.start();
  const pool = new PeerPool();
  pool.set([{ node: 'node-a', address: a.address }, { node: 'node-b', address: b.address }]);
  const relay = await listenGrpc([{ definition: observerService, handlers: relayObserverHandlers(pool, 'relay-test') }], [{ address: '127.0.0.1:0', credentials: serverCredentials() }]);
  const api = await RelayApi.connect({ server: `127.0.0.1:${relay.ports[0]}` } as RelayFlags);
  const flows: Flow[] = [];
  const statuses: NodeStatusEvent[] = [];
  const errors: Error[] = [];
  let wake = (): void => {};
  const sub = new RelaySource(api).subscribeFlows({
    flows: (batch) => { flows.push(...batch); wake(); },
    lost: () => {},
    nodeStatus: (e) => { statuses.push(e); wake(); },
    error: (e) => errors.push(e),
  });
  const until = async (what: string, cond: () => boolean): Promise<void> => {
    const deadline = setTimeout(() => wake(), 15_000);
    const started = Date.now();
    while (!cond()) {
      if (Date.now() - started > 15_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    clearTimeout(deadline);
  };
  const of = (node: string, life: number) => () => flows.some((f) => f.node_name === node && (f.Summary ?? '').startsWith(`${node}#${life}.`));
  const status = (state: NodeState, node: string) => () => statuses.some((s) => s.state_change === state && (s.node_names ?? []).includes(node));
  try {
    await until('flows of node-a and node-b', () => of('node-a', 1)() && of('node-b', 1)());
    b.crash();
    await until('NODE_UNAVAILABLE node-b', status(NodeState.NODE_UNAVAILABLE, 'node-b'));
    await b.start();
    await until('node-b flows after its restart', of('node-b', 2));
    t.true(status(NodeState.NODE_CONNECTED, 'node-b')());
    pool.set([{ node: 'node-a', address: a.address }, { node: 'node-b', address: b.address }, { node: 'node-c', address: c.address }]);
    await until('flows of node-c, which joined mid-stream', of('node-c', 1));
    t.deepEqual(errors, [], 'the UI saw no stream error: the relay kept its stream open');
  } finally {
    sub.close();
    await api.close();
    await relay.close();
    pool.close();
    for (const x of [a, b, c]) x.crash();
  }
});
