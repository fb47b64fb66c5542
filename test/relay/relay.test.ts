// The relay in front of two agents ("nodes" node-a and node-b, each a real agent with its own
// datapath managing its own pods) over mTLS with install-time TLS material: merged flows from
// both nodes, ServerStatus/GetNodes with an unavailable node, and status queries fanned out.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Datapath } from '../../bpf/loader/index.ts';
import { ObserverClient } from '../../api/grpc.ts';
import type { GetFlowsResponse } from '../../api/types.ts';
import { Agent } from '../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../agent/k8s/memory-source.ts';
import { startAgentServers } from '../../agent/server/agent-servers.ts';
import { StatusClient } from '../../api/status/grpc.ts';
import type { EndpointStatus } from '../../api/status/types.ts';
import { tlsFilesIn } from '../../lib/listen.ts';
import { generateTlsMaterial } from '../../install/tls-material.ts';
import { agentServerName } from '../../api/config.ts';
import { listenGrpc, serverCredentials } from '../../lib/listen.ts';
import { observerService } from '../../api/grpc.ts';
import { statusService } from '../../api/status/grpc.ts';
import { PeerPool, serverNameFor } from '../../relay/peers.ts';
import { peersFromPods } from '../../relay/discovery.ts';
import { relayObserverHandlers, relayStatusHandlers } from '../../relay/server.ts';
import { eventually, podObject, PodNet, run, serve, SCRIPTS } from '../agent/runtime/support/pods.ts';

test('agent pods become peers by node (pure)', (t) => {
  const pods = [
    { metadata: { name: 'a1' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '192.0.2.10' } },
    { metadata: { name: 'a2' }, spec: { nodeName: 'n2' }, status: { phase: 'Pending' } },
    { metadata: { name: 'a3' }, spec: { nodeName: 'n3' }, status: { phase: 'Running', podIP: 'fd00::3' } },
  ];
  t.deepEqual(peersFromPods(pods, 4244), [{ node: 'n1', address: '192.0.2.10:4244' }, { node: 'n3', address: '[fd00::3]:4244' }]);
  t.is(serverNameFor('*.default.agent.netobs.io', 'ip-10-0-0-1.ec2.internal'), 'ip-10-0-0-1-ec2-internal.default.agent.netobs.io');
});

test.serial('the relay merges two agents over mTLS and reports a missing one', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netobs-relay-'));
  const m = generateTlsMaterial({ clusterName: 'default', validityDays: 1 });
  const write = (sub: string, leaf: { cert: string; key: string }): string => {
    const d = path.join(dir, sub);
    mkdirSync(d);
    writeFileSync(path.join(d, 'ca.crt'), m.ca.cert);
    writeFileSync(path.join(d, 'tls.crt'), leaf.cert);
    writeFileSync(path.join(d, 'tls.key'), leaf.key);
    return d;
  };
  const agentTls = tlsFilesIn(write('agent', m.agentServer));
  const relayTls = tlsFilesIn(write('relay', m.relayClient));
  const net = new PodNet('rly', 95);
  const source = new MemoryClusterSource();
  const client = net.add('client', 0);
  const server = net.add('server', 1);
  source.put('pods', podObject(client, 'node-a', { app: 'client' }));
  source.put('pods', podObject(server, 'node-b', { app: 'server' }));
  const nodes = ['node-a', 'node-b'].map((name) => {
    const dp = Datapath.open({ pin: false });
    return { name, dp, agent: new Agent({ nodeName: name, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 }) };
  });
  const servers: Awaited<ReturnType<typeof startAgentServers>>[] = [];
  const pool = new PeerPool({ tls: relayTls, serverName: agentServerName('default') });
  const relay = await listenGrpc(
    [{ definition: observerService, handlers: relayObserverHandlers(pool, 'relay-test') }, { definition: statusService, handlers: relayStatusHandlers(pool) }],
    [{ address: '127.0.0.1:0', credentials: serverCredentials() }],
  );
  const obs = new ObserverClient(`127.0.0.1:${relay.ports[0]}`, grpc.credentials.createInsecure());
  const status = new StatusClient(`127.0.0.1:${relay.ports[0]}`, grpc.credentials.createInsecure());
  try {
    for (const n of nodes) {
      await n.agent.start();
      servers.push(await startAgentServers(n.agent, { grpcAddress: '127.0.0.1:0', tls: agentTls }));
    }
    pool.set(nodes.map((n, i) => ({ node: n.name, address: `127.0.0.1:${servers[i]?.grpcPort}` })));
    await eventually(() => (nodes.every((n) => [...n.agent.endpoints.records.values()].some((r) => r.ready)) ? true : undefined), 10_000, 'endpoints on both nodes');
    const srv = await serve(server, SCRIPTS.httpServer, ['80']);
    try {
      t.is((await run(client, SCRIPTS.httpGet, [server.ip, '80'])).stdout.trim(), 'status 200');
    } finally {
      srv.kill();
    }
    await eventually(() => (nodes.every((n) => n.agent.ring.seen > 0) ? true : undefined), 5000, 'flows on both nodes');
    const got: GetFlowsResponse[] = [];
    for await (const r of obs.getFlows({ number: 20, whitelist: [{ destination_pod: ['default/server'] }] })) got.push(r as GetFlowsResponse);
    const byNode = new Set(got.map((r) => r.node_name));
    t.deepEqual([...byNode].sort(), ['node-a', 'node-b'], 'the request leaves node-a and arrives at node-b');
    const times = got.filter((r) => r.flow).map((r) => (r.flow?.time?.seconds ?? 0) * 1e9 + (r.flow?.time?.nanos ?? 0));
    t.deepEqual(times, [...times].sort((a, b) => a - b), 'merged in time order');
    t.true(got.every((r) => r.flow?.destination?.pod_name === 'server'));
    const st2 = await obs.serverStatus();
    t.like(st2, { num_connected_nodes: { value: 2 }, version: 'relay-test' });
    t.is(st2.num_unavailable_nodes?.value ?? 0, 0, 'zero travels as an empty wrapper');

    const eps = await status.query({ path: '/v1/endpoints' });
    t.deepEqual(eps.nodes.map((n) => n.node).sort(), ['node-a', 'node-b']);
    t.deepEqual(eps.nodes.flatMap((n) => (n.body as EndpointStatus[]).map((e) => `${e.node}/${e.podName}`)).sort(), ['node-a/client', 'node-b/server']);
    const one = await status.query({ path: '/v1/maps', node: 'node-b' });
    t.deepEqual(one.nodes.map((n) => n.node), ['node-b']);
    await t.throwsAsync(status.query({ path: '/v1/maps', node: 'node-z' }), { message: /node-z: no agent known there/ });

    await servers[1]?.close();
    const st = await obs.serverStatus();
    t.like(st, { num_connected_nodes: { value: 1 }, num_unavailable_nodes: { value: 1 }, unavailable_nodes: ['node-b'] });
    const gn = await obs.getNodes();
    t.deepEqual(gn.nodes?.map((n) => [n.name, n.state, n.tls?.enabled]), [['node-a', 1, true], ['node-b', 2, true]]);
    const partial: GetFlowsResponse[] = [];
    for await (const r of obs.getFlows({ number: 5 })) partial.push(r as GetFlowsResponse);
    t.true(partial.some((r) => r.node_status?.state_change === 2 && r.node_status.node_names?.includes('node-b')), 'a NODE_UNAVAILABLE status for node-b');
    t.true(partial.some((r) => r.node_name === 'node-a' && r.flow));
    const down = await status.query({ path: '/v1/status' });
    t.is(down.nodes.find((n) => n.node === 'node-b')?.code, 503);
  } finally {
    obs.close();
    status.close();
    await relay.close();
    pool.close();
    for (const s of servers) await s.close();
    for (const n of nodes) {
      await n.agent.stop();
      n.dp.close();
    }
    net.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
