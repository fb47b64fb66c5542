// The agent's answers to the flow conversion's questions (flows/context.ts), from its cluster
// state, endpoints, identities, policies and DNS names. Per-IP endpoint records are built once
// per state change (invalidate()), not per event.
import type { Endpoint, Policy, Service, Timestamp } from '../../api/types.ts';
import type { ClusterState } from '../cluster/state.ts';
import { podWorkloads } from '../cluster/workloads.ts';
import type { EndpointManager } from '../endpoints/manager.ts';
import type { DnsNames } from '../flows/dns-names.ts';
import type { FlowContext } from '../flows/context.ts';
import type { MonotonicClock } from '../flows/clock.ts';
import { formatLabel, type LabelSet } from '../identity/labels.ts';
import { isCidrIdentity, reservedName } from '../identity/reserved.ts';
import type { CidrIdentities } from '../identity/cidr-identities.ts';
import type { RuleIds } from '../datapath/rule-ids.ts';
import { objectKey, podIPs } from '../../lib/kube-objects.ts';
import { PolicyState } from './policies.ts';

export interface FlowContextDeps {
  nodeName: string;
  state: ClusterState;
  endpoints: EndpointManager;
  /** pod key -> identity and labels */
  podIdentities: ReadonlyMap<string, { id: number; labels: LabelSet }>;
  cidr: CidrIdentities;
  rules: RuleIds;
  policies: PolicyState;
  dns: DnsNames;
  clock: MonotonicClock;
}

export class AgentFlowContext implements FlowContext {
  readonly nodeName: string;
  #byIp: Map<string, Endpoint> | undefined;
  #enforcers = new Map<string, Policy[]>();
  #ifnames = new Map<number, string>();

  constructor(private readonly d: FlowContextDeps) {
    this.nodeName = d.nodeName;
  }

  invalidate(): void {
    this.#byIp = undefined;
    this.#enforcers.clear();
    this.#ifnames = new Map([...this.d.endpoints.records.values()].map((r) => [r.ifindex, r.ifname]));
  }

  #index(): Map<string, Endpoint> {
    const out = new Map<string, Endpoint>();
    for (const pod of this.d.state.objects.pods.values()) {
      const key = objectKey(pod.metadata);
      const ident = this.d.podIdentities.get(key);
      if (!ident) continue;
      const rec = this.d.endpoints.records.get(key);
      const ep: Endpoint = {
        ...(rec ? { ID: rec.id } : {}),
        identity: ident.id,
        namespace: pod.metadata.namespace ?? 'default',
        labels: ident.labels.map(formatLabel),
        pod_name: pod.metadata.name,
      };
      const wl = podWorkloads(pod);
      if (wl.length) ep.workloads = wl;
      for (const ip of podIPs(pod)) out.set(ip, ep);
    }
    return out;
  }

  endpointByIp(ip: string): Endpoint | undefined {
    this.#byIp ??= this.#index();
    return this.#byIp.get(ip);
  }

  identityLabels(identity: number): string[] {
    if (isCidrIdentity(identity)) {
      const prefix = this.d.cidr.prefixOf(identity);
      return prefix ? [`cidr:${prefix}`, 'reserved:world'] : ['reserved:world'];
    }
    const name = reservedName(identity);
    return name && identity !== 0 ? [`reserved:${name}`] : [];
  }

  serviceOf(ip: string, port: number): Service | undefined {
    return this.d.state.serviceByAddress(ip, port);
  }

  namesOf(ip: string): string[] | undefined {
    return this.d.dns.namesOf(ip, Date.now());
  }

  rule(ruleId: number): { deny: boolean; policies: readonly Policy[] } | undefined {
    const r = this.d.rules.lookup(ruleId);
    return r && { deny: r.deny, policies: r.policies.map((p) => PolicyState.flowPolicy(p, this.d.policies.revision)) };
  }

  enforcers(endpointId: number, direction: 'ingress' | 'egress'): readonly Policy[] {
    const key = `${endpointId}/${direction}`;
    let out = this.#enforcers.get(key);
    if (!out) {
      const rec = this.d.endpoints.byId(endpointId);
      const labels = rec && this.d.podIdentities.get(rec.key)?.labels;
      out = labels ? this.d.policies.enforcers(labels, direction).map((p) => PolicyState.flowPolicy(p, this.d.policies.revision)) : [];
      this.#enforcers.set(key, out);
    }
    return out;
  }

  interfaceName(ifindex: number): string | undefined {
    return this.#ifnames.get(ifindex);
  }

  wallTime(monotonicNs: bigint): Timestamp {
    return this.d.clock.toWall(monotonicNs);
  }
}
