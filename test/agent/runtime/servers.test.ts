// The agent's servers over a running agent on the real kernel: flows through observer.Observer
// (the api/ client), the status API over HTTP and over the AgentStatus gRPC service, metrics.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Datapath } from '../../../bpf/loader/index.ts';
import { ObserverClient } from '../../../api/grpc.ts';
import type { GetFlowsResponse } from '../../../api/types.ts';
import { fromProtoJson } from '../../../api/json-decode.ts';
import { Agent } from '../../../agent/runtime/agent.ts';
import { VethDiscovery } from '../../../agent/endpoints/discover.ts';
import { MemoryClusterSource } from '../../../agent/k8s/memory-source.ts';
import { startAgentServers } from '../../../agent/server/agent-servers.ts';
import { StatusClient } from '../../../api/status/grpc.ts';
import type { AgentStatus, EndpointStatus, MapEntriesPage, MapStatus } from '../../../api/status/types.ts';
import { eventually, podObject, PodNet, run, serve, SCRIPTS } from './support/pods.ts';

const NODE = 'node-s';

function get(opts: http.RequestOptions): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(opts, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test.serial('flows, status and metrics come out of the agent servers', async (t) => {
  const net = new PodNet('srv', 92);
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'netobs-agent-'));
  const dp = Datapath.open({ pin: false });
  const source = new MemoryClusterSource();
  const agent = new Agent({ nodeName: NODE, source, datapath: dp, discovery: new VethDiscovery({ netnsDirs: ['/var/run/netns'] }), pollMs: 50 });
  source.put('namespaces', { metadata: { name: 'shop', labels: { team: 'a' } } });
  const client = net.add('frontend-1', 0);
  const server = net.add('backend-1', 1);
  const ptp = net.add('solo', 2, 'route');
  source.put('pods', podObject(client, NODE, { app: 'frontend' }, { namespace: 'shop' }));
  source.put('pods', podObject(server, NODE, { app: 'backend' }, { namespace: 'shop' }));
  source.put('pods', podObject(ptp, NODE, { app: 'solo' }, { namespace: 'shop' }));
  await agent.start();
  const exportFile = path.join(runDir, 'flows', 'events.log');
  const servers = await startAgentServers(agent, {
    healthAddress: { host: '127.0.0.1', port: 0 }, metricsAddress: { host: '127.0.0.1', port: 0 }, flowMetricsAddress: { host: '127.0.0.1', port: 0 },
    grpcAddress: '127.0.0.1:0', runDir, metricsHandlers: ['flow', 'tcp', 'drop', 'http:labelsContext=source_namespace,destination_namespace'],
    exporter: { filePath: exportFile, maxSizeBytes: 1 << 20, maxBackups: 1, allowList: [{ source_pod: ['shop/'] }], denyList: [], fieldMask: [] },
  });
  const obs = new ObserverClient(`unix:${servers.sockets.grpc}`, grpc.credentials.createInsecure());
  const statusClient = new StatusClient(`127.0.0.1:${servers.grpcPort}`, grpc.credentials.createInsecure());
  try {
    await eventually(() => ([...agent.endpoints.records.values()].filter((r) => r.ready).length === 3 ? true : undefined), 10_000, 'three endpoints');
    t.is(agent.endpoints.records.get('shop/solo')?.via, 'route');
    const srv = await serve(server, SCRIPTS.httpServer, ['80']);
    try {
      t.is((await run(client, SCRIPTS.httpGet, [server.ip, '80'])).stdout.trim(), 'status 200');
    } finally {
      srv.kill();
    }
    await eventually(() => (agent.flows.pipeline.counters.flows > 4 ? true : undefined), 5000, 'flows');
    const got: GetFlowsResponse[] = [];
    for await (const r of obs.getFlows({ number: 100, whitelist: [{ source_pod: ['shop/backend-1'], tcp_flags: [{ SYN: true, ACK: true }] }] })) got.push(r as GetFlowsResponse);
    const synAck = got.find((r) => r.flow?.l4?.TCP?.flags?.SYN);
    t.truthy(synAck, 'the SYN-ACK of the backend');
    t.like(synAck?.flow, { source: { pod_name: 'backend-1', namespace: 'shop' }, destination: { pod_name: 'frontend-1' }, is_reply: { value: true }, node_name: NODE, verdict: 1 });
    t.is(synAck?.node_name, NODE);
    t.true((synAck?.flow?.source?.identity ?? 0) >= 256);
    const l7: GetFlowsResponse[] = [];
    for await (const r of obs.getFlows({ number: 10, whitelist: [{ event_type: [{ type: 129 }] }] })) l7.push(r as GetFlowsResponse);
    const res = l7.find((r) => r.flow?.l7?.http?.code === 200);
    t.like(res?.flow?.l7, { type: 2, http: { code: 200, method: 'GET', url: `http://${server.ip}/hello` } });
    t.true((res?.flow?.l7?.latency_ns ?? 0) > 0);
    t.like(await obs.serverStatus(), { num_connected_nodes: { value: 1 }, max_flows: 4095 });

    const status = JSON.parse((await get({ socketPath: servers.sockets.http, path: '/v1/status' })).body) as AgentStatus;
    t.like(status, { node: NODE, endpoints: 3, unmanagedPodCount: 0, datapath: { attached: 3 }, kubernetes: { connected: true, synced: true }, healthy: true });
    t.true(status.identities >= 3);
    t.deepEqual(Object.keys(status.lostEvents).sort(), ['hubble_ring_buffer', 'observer_events_queue', 'perf_event_ring_buffer']);
    const eps = JSON.parse((await get({ host: '127.0.0.1', port: servers.healthPort, path: '/v1/endpoints' })).body) as EndpointStatus[];
    t.deepEqual(eps.map((e) => e.podName).sort(), ['backend-1', 'frontend-1', 'solo']);
    t.true(eps.every((e) => e.status === 'ready' && e.labels.includes('k8s:io.netobs.k8s.namespace.labels.team=a')));
    const maps = JSON.parse((await get({ host: '127.0.0.1', port: servers.healthPort, path: '/v1/maps' })).body) as MapStatus[];
    t.true(maps.some((m) => m.name === 'netobs_ipcache' && m.entries >= 5 && m.type === 'lpm_trie'));
    const ct = JSON.parse((await get({ socketPath: servers.sockets.http, path: '/v1/maps/netobs_ct_tcp?limit=50' })).body) as MapEntriesPage;
    t.true(ct.entries.some((e) => e.key.includes(`${client.ip}:`) && e.key.includes(`-> ${server.ip}:80`)));
    const ipc = JSON.parse((await get({ socketPath: servers.sockets.http, path: '/v1/maps/netobs_ipcache?offset=0&limit=1' })).body) as MapEntriesPage;
    t.is(ipc.entries.length, 1);
    t.truthy(ipc.continue, 'a continue token for the rest');
    const rest = JSON.parse((await get({ socketPath: servers.sockets.http, path: `/v1/maps/netobs_ipcache?limit=100&continue=${ipc.continue}` })).body) as MapEntriesPage;
    t.true(rest.entries.length >= 4);
    t.false(rest.entries.some((e) => e.key === ipc.entries[0]?.key), 'the next page starts after the first');
    t.is((await get({ socketPath: servers.sockets.http, path: '/v1/maps/nope' })).code, 404);
    t.is((await get({ host: '127.0.0.1', port: servers.healthPort, path: '/healthz' })).code, 200);

    const q = await statusClient.query({ path: '/v1/endpoints' });
    t.is(q.nodes[0]?.node, NODE);
    t.is((q.nodes[0]?.body as EndpointStatus[]).length, 3);

    const metrics = (await get({ host: '127.0.0.1', port: servers.metricsPort, path: '/metrics' })).body;
    t.regex(metrics, /^netobs_endpoints 3$/m);
    t.regex(metrics, /^netobs_datapath_packets_total\{direction="(ingress|egress)",verdict="forwarded"\} [1-9]/m);
    t.regex(metrics, /^netobs_bpf_map_pressure\{map="netobs_ipcache"\} /m);
    t.regex(metrics, /^process_resident_memory_bytes [1-9]/m);
    const flowMetrics = (await get({ host: '127.0.0.1', port: servers.flowMetricsPort, path: '/metrics' })).body;
    t.regex(flowMetrics, /^hubble_flows_processed_total\{.*\} [1-9]/m);
    t.regex(flowMetrics, /^hubble_tcp_flags_total\{.*flag="SYN".*\} [1-9]/m);
    t.regex(flowMetrics, /^hubble_http_responses_total\{destination_namespace="shop",method="GET",reporter="(server|client)",source_namespace="shop",status="200"\} [1-9]/m);
    const openMetrics = await get({ host: '127.0.0.1', port: servers.flowMetricsPort, path: '/metrics', headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' } });
    t.regex(openMetrics.body, /^# TYPE hubble_flows_processed counter$/m);
    t.regex(openMetrics.body, /# EOF\n$/);

    // The exporter wrote the shop pods' flows, real traffic included, as Hubble's export lines.
    const exported = await eventually(() => {
      const lines = existsSync(exportFile) ? readFileSync(exportFile, 'utf8').split('\n').filter(Boolean) : [];
      const rs = lines.map((l) => fromProtoJson<GetFlowsResponse>('observer.GetFlowsResponse', JSON.parse(l)));
      return rs.some((r) => r.flow?.l7?.http?.code === 200) ? rs : undefined;
    }, 5000, 'the HTTP response in the export file');
    t.true(exported.every((r) => r.flow?.source?.namespace === 'shop' && r.node_name === NODE && r.time !== undefined));
    t.true(exported.some((r) => r.flow?.l4?.TCP?.flags?.SYN && r.flow.l4.TCP.flags.ACK));
    const agentMetrics = (await get({ host: '127.0.0.1', port: servers.metricsPort, path: '/metrics' })).body;
    t.regex(agentMetrics, new RegExp(`^netobs_flow_export_flows_total ${exported.length}$`, 'm'));
  } finally {
    obs.close();
    statusClient.close();
    await servers.close();
    await agent.stop();
    dp.close();
    net.close();
    rmSync(runDir, { recursive: true, force: true });
  }
});
