// SYNTHETIC data source for tests and the benchmark: flows at a fixed rate, endpoints, BPF maps
// and map entries of a made-up cluster (synthetic-cluster.ts), all in memory. The real
// `kubectl netobs ui` reads the relay instead; nothing here pretends to be a cluster.
import type { Flow } from '../../api/types.ts';
import { prng, syntheticCluster, syntheticEndpoints, syntheticFlow, type SyntheticCluster } from './synthetic-cluster.ts';
import type { EndpointInfo, FlowListener, MapEntriesPage, MapEntry, MapInfo, ServerStatusInfo, Subscription, TuiDataSource } from './types.ts';

export interface SyntheticOptions {
  flowsPerSecond: number;
  /** Node count or names (default 2). */
  nodes?: number | readonly string[];
  seed?: number;
  /** Emission period; each tick delivers the flows due since the start (default 20 ms). */
  tickMs?: number;
  /** Report a lost-events notification this often (0 = never). */
  lostEveryMs?: number;
  now?: () => number;
}

export interface SyntheticSource extends TuiDataSource {
  readonly cluster: SyntheticCluster;
  /** Flows delivered so far. */
  readonly emitted: number;
}

function syntheticMaps(c: SyntheticCluster, endpoints: readonly EndpointInfo[]): MapInfo[] {
  const maps: MapInfo[] = [];
  c.nodes.forEach((node, i) => {
    const local = endpoints.filter((e) => e.node === node);
    const add = (name: string, type: string, entries: number, maxEntries: number) =>
      maps.push({ node, name, type, entries, maxEntries, pressure: maxEntries ? entries / maxEntries : 0 });
    add('netobs_ipcache', 'lpm_trie', c.pods.length + c.nodes.length + 6, 512_000);
    // The second node's conntrack table runs hot, so the pressure colours show.
    add('netobs_ct4', 'lru_hash', i === 1 ? 62_300 : 18_000 + i * 1000, 65_536);
    add('netobs_ct6', 'lru_hash', 120, 65_536);
    add('netobs_lb4_services', 'hash', 12, 65_536);
    add('netobs_metrics', 'percpu_hash', 48, 1024);
    // A ring buffer reports bytes in use of its size.
    add('netobs_events', 'ringbuf', 4096 + i * 2048, 1 << 22);
    for (const e of local) add(`netobs_policy_${String(e.id).padStart(5, '0')}`, 'hash', e.policyEntries?.length ?? 0, 16_384);
  });
  return maps;
}

function syntheticEntries(c: SyntheticCluster, endpoints: readonly EndpointInfo[], m: MapInfo, offset: number, limit: number): MapEntry[] {
  if (m.name.startsWith('netobs_policy_')) {
    const e = endpoints.find((x) => x.node === m.node && x.id === Number(m.name.slice('netobs_policy_'.length)));
    return (e?.policyEntries ?? []).slice(offset, offset + limit).map((p) => ({
      key: `${p.direction} identity=${p.identity} ${p.port}`, value: `${p.verdict} packets=${p.packets ?? 0}`,
    }));
  }
  const out: MapEntry[] = [];
  const rnd = prng(offset * 31 + m.name.length);
  for (let i = offset; i < Math.min(m.entries, offset + limit); i++) {
    const pod = c.pods[i % c.pods.length]!;
    if (m.name === 'netobs_ipcache') out.push({ key: `${pod.ip}/32`, value: `identity=${pod.identity} tunnel=${pod.node}` });
    else if (m.name.startsWith('netobs_ct')) {
      const peer = c.pods[(i * 7 + 3) % c.pods.length]!;
      out.push({ key: `TCP ${pod.ip}:${32768 + (i % 28000)} -> ${peer.ip}:${8080 + (i % 3)}`, value: `expires=${Math.floor(rnd() * 21600)}s rx=${Math.floor(rnd() * 1e4)} tx=${Math.floor(rnd() * 1e4)}` });
    } else out.push({ key: `entry ${i}`, value: `value ${Math.floor(rnd() * 1e6)}` });
  }
  return out;
}

export function syntheticSource(opts: SyntheticOptions): SyntheticSource {
  const cluster = syntheticCluster(opts.nodes ?? 2);
  const endpoints = syntheticEndpoints(cluster);
  const maps = syntheticMaps(cluster, endpoints);
  const now = opts.now ?? Date.now;
  const rnd = prng(opts.seed ?? 1);
  let emitted = 0;
  let lost = 0;
  return {
    cluster,
    get emitted() { return emitted; },
    subscribeFlows(listener: FlowListener): Subscription {
      const start = now();
      let sent = 0;
      let lastLost = start;
      const tick = () => {
        const t = now();
        // Deliver what is due since the start: the rate holds even when timers fire late.
        const due = Math.floor(((t - start) * opts.flowsPerSecond) / 1000) - sent;
        if (due > 0) {
          const batch: Flow[] = new Array(due);
          for (let i = 0; i < due; i++) batch[i] = syntheticFlow(rnd, cluster, t);
          sent += due;
          emitted += due;
          listener.flows(batch);
        }
        if (opts.lostEveryMs && t - lastLost >= opts.lostEveryMs) {
          lastLost = t;
          lost += 17;
          listener.lost({ source: 1, num_events_lost: 17, cpu: { value: 0 } });
        }
      };
      const timer = setInterval(tick, opts.tickMs ?? 20);
      return { close: () => clearInterval(timer) };
    },
    listEndpoints: async (node) => endpoints.filter((e) => !node || e.node === node),
    listMaps: async (node) => maps.filter((m) => !node || m.node === node),
    mapEntries: async (node, name, page): Promise<MapEntriesPage> => {
      const m = maps.find((x) => x.node === node && x.name === name);
      if (!m) throw new Error(`map ${name} not found on ${node}`);
      return { entries: syntheticEntries(cluster, endpoints, m, page.offset, page.limit), total: m.entries, offset: page.offset };
    },
    serverStatus: async (): Promise<ServerStatusInfo> => ({ numConnectedNodes: cluster.nodes.length, unavailableNodes: [], flowsRate: opts.flowsPerSecond, lost }),
  };
}
