// Collects the status API documents from a running agent: its state, the kernel's maps, the
// flow ring. Map reads iterate kernel maps, so callers ask per request, not per event.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { formatLabel } from '../identity/labels.ts';
import { identityName } from '../identity/reserved.ts';
import { prefixEnd } from '../policy/entries.ts';
import { tcQuery, TC_INGRESS } from '../../bpf/loader/index.ts';
import type { MapName, MapPage, PageCursor, PolicyKey } from '../../bpf/loader/index.ts';
import type { Agent } from '../runtime/agent.ts';
import { type AgentStatus, type EndpointStatus, type MapEntriesPage, type MapStatus } from '../../api/status/types.ts';

const PROTO_NAME: Record<number, string> = { 0: 'ANY', 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP' };

export function bpfFeatures(): Record<string, boolean> {
  const read = (p: string): string => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return '';
    }
  };
  return {
    ringbuf: true, // the datapath loaded, and its events map is a ring buffer
    btf: existsSync('/sys/kernel/btf/vmlinux'),
    jit: read('/proc/sys/net/core/bpf_jit_enable') === '1',
    tcx: Number(os.release().split('.')[0]) > 6 || (Number(os.release().split('.')[0]) === 6 && Number(os.release().split('.')[1]) >= 6),
  };
}

function attachedCount(agent: Agent): number {
  let n = 0;
  for (const r of agent.endpoints.records.values()) if (r.ready && tcQuery(r.ifindex, TC_INGRESS) !== undefined) n++;
  return n;
}

export function agentStatus(agent: Agent): AgentStatus {
  const inMap = new Set(agent.datapath.endpoints.entries().map((e) => e.ifindex));
  const unmanaged = agent.endpoints.list();
  for (const r of agent.endpoints.records.values()) {
    if (r.ready && !inMap.has(r.ifindex)) unmanaged.push({ pod: r.key, reason: `endpoint map has no entry for ${r.ifname}` });
  }
  const lost = agent.flows.pipeline.lost();
  return {
    node: agent.nodeName,
    version: agent.version,
    kernelVersion: os.release(),
    uptimeSeconds: Math.round(Number(process.hrtime.bigint() - agent.startedNs) / 1e9),
    healthy: agent.errors.size === 0,
    kubernetes: { connected: agent.connected, synced: agent.synced },
    datapath: { attached: attachedCount(agent), programs: 2, ...(agent.datapath.bpffsRoot ? { bpffsRoot: agent.datapath.bpffsRoot } : {}), features: bpfFeatures() },
    endpoints: agent.endpoints.records.size,
    unmanagedPods: unmanaged,
    unmanagedPodCount: unmanaged.length,
    identities: agent.allocator.identities().length,
    policies: agent.policies.count,
    policyRevision: agent.policies.revision,
    invalidPolicies: [...agent.policies.invalid].map(([policy, message]) => ({ policy, message })),
    flows: { numFlows: agent.ring.size, maxFlows: agent.ring.capacity, seenFlows: agent.ring.seen },
    lostEvents: lost,
    errors: [...agent.errors.values()],
    warnings: [...agent.warnings.values()],
  };
}

/** `any`, `80` or `1024-2047` (a port prefix of the policy map). */
function portText(k: Required<PolicyKey>, exact: string): string {
  return k.portBits === 0 ? 'any' : k.portBits === 16 ? `${exact}${k.port}` : `${k.port}-${prefixEnd(k.port, k.portBits)}`;
}

export function endpointStatuses(agent: Agent, withPolicy = false): EndpointStatus[] {
  const policy = withPolicy ? agent.datapath.policy.entries() : [];
  return [...agent.endpoints.records.values()]
    .sort((a, b) => a.id - b.id)
    .map((r) => {
      const enf = agent.enforcement.get(r.id);
      const ident = agent.podIdentities.get(r.key);
      const out: EndpointStatus = {
        node: agent.nodeName, id: r.id, identity: r.identity, namespace: r.namespace, podName: r.name,
        labels: ident?.labels.map(formatLabel) ?? [], interface: r.ifname, ifindex: r.ifindex,
        ingressEnforcement: enf?.ingress ?? false, egressEnforcement: enf?.egress ?? false,
        status: r.ready ? 'ready' : r.identity === 0 ? 'waiting-for-identity' : 'not-attached',
        ...(r.ipv4 ? { ipv4: r.ipv4 } : {}), ...(r.ipv6 ? { ipv6: r.ipv6 } : {}),
      };
      if (withPolicy) {
        out.policyEntries = policy.filter((p) => p.key.endpointId === r.id).map((p) => {
          const rule = agent.rules.lookup(p.value.ruleId);
          const pol = rule?.policies.map((x) => (x.namespace ? `${x.namespace}/${x.name}` : x.name)).join(',');
          return {
            direction: p.key.direction === 1 ? 'ingress' : 'egress', identity: p.key.remoteIdentity,
            port: `${PROTO_NAME[p.key.protocol] ?? p.key.protocol}/${portText(p.key, '')}`, verdict: p.value.action, ...(pol ? { policy: pol } : {}),
          };
        });
      }
      return out;
    });
}

export function mapStatuses(agent: Agent): MapStatus[] {
  return agent.datapath.maps().map((m) => {
    const ring = m.type === 'ringbuf';
    const entries = ring ? agent.datapath.events.pending() : m.entries;
    // Array maps always hold max_entries slots: they cannot fill up, so they have no pressure.
    const fixed = m.type === 'array' || m.type === 'percpu_array';
    return {
      node: agent.nodeName, name: m.name, type: m.type, entries, maxEntries: m.maxEntries,
      pressure: m.maxEntries && !fixed ? entries / m.maxEntries : 0, keySize: m.keySize, valueSize: m.valueSize,
      ...(m.pinPath ? { pinPath: m.pinPath } : {}),
    };
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

type Row = MapEntriesPage['entries'][number];

/**
 * Decoded entries of one map, one page at a time: only the page's entries are read from the
 * kernel and decoded (a request for 1 entry of a 262k-entry conntrack map costs a few bpf()
 * calls), so `total` is left out; GET /v1/maps counts. `continue` is the token for the next
 * page. Undefined for an unknown map.
 */
export function mapEntries(agent: Agent, name: string, c: PageCursor): MapEntriesPage | undefined {
  const dp = agent.datapath;
  let p: { items: Row[]; next?: string };
  if (name === 'netobs_ipcache') {
    p = rows(dp.ipcache.page(c), (e) => ({ key: e.cidr, value: `identity=${e.identity} (${identityName(e.identity)})${e.tunnelEndpoint ? ` tunnel=${e.tunnelEndpoint}` : ''}`, fields: { ...e } }));
  } else if (name === 'netobs_policy') {
    p = rows(dp.policy.page(c), ({ key, value }) => {
      const icmp = key.protocol === 1 || key.protocol === 58;
      const port = portText(key, icmp ? 'type ' : '');
      const rule = agent.rules.lookup(value.ruleId);
      const by = rule?.policies.map((x) => `${x.kind}:${x.namespace ? `${x.namespace}/` : ''}${x.name}`) ?? [];
      return {
        key: `ep=${key.endpointId} ${key.direction === 1 ? 'ingress' : 'egress'} identity=${key.remoteIdentity} ${PROTO_NAME[key.protocol] ?? key.protocol}/${port}`,
        value: `${value.action}${by.length ? ` by ${by.join(',')}` : ''}`,
        fields: { ...key, action: value.action, ruleId: value.ruleId, policies: by },
      };
    });
  } else if (name === 'netobs_ct_tcp' || name === 'netobs_ct_any') {
    p = rows(dp.conntrack.page(name === 'netobs_ct_tcp' ? 'tcp' : 'any', c), (e) => ({
      key: `${PROTO_NAME[e.protocol] ?? e.protocol} ${e.saddr}:${e.sport} -> ${e.daddr}:${e.dport} ${e.direction === 1 ? 'ingress' : 'egress'} ep=${e.endpointId}`,
      value: `state=${e.tcpState} fwd=${e.packetsForward}p/${e.bytesForward}B rev=${e.packetsReply}p/${e.bytesReply}B identities=${e.srcIdentity}->${e.dstIdentity}`,
      fields: JSON.parse(JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Record<string, unknown>,
    }));
  } else if (name === 'netobs_endpoint') {
    p = rows(dp.endpoints.page(c), (e) => ({ key: `ifindex=${e.ifindex}`, value: `ep=${e.endpointId} identity=${e.identity} flags=${e.flags}${e.ipv4 ? ` ${e.ipv4}` : ''}`, fields: { ...e } }));
  } else if ((['netobs_config', 'netobs_frag'] as string[]).includes(name)) {
    const raw = dp.map(name as MapName).page(c.after, c.limit, c.skip);
    p = { items: raw.entries.map(([k, v]) => ({ key: hex(k), value: hex(v) })), ...(raw.next ? { next: raw.next } : {}) };
  } else if ((['netobs_metrics', 'netobs_lost', 'netobs_events'] as string[]).includes(name)) {
    p = { items: [] };
  } else {
    return undefined;
  }
  return { node: agent.nodeName, map: name, offset: c.skip ?? 0, entries: p.items, ...(p.next ? { continue: p.next } : {}) };
}

function rows<T>(p: MapPage<T>, row: (e: T) => Row): { items: Row[]; next?: string } {
  return { items: p.items.map(row), ...(p.next ? { next: p.next } : {}) };
}
