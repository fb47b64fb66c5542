// The agent runtime: one node's netobs. It keeps a copy of the cluster from a ClusterSource,
// allocates identities, manages the local pods as datapath endpoints, compiles policies into
// the policy map, keeps the ipcache, and turns datapath events into flows in the ring that the
// flow API serves. Everything it writes to the kernel goes through reconcile(), which runs one
// at a time, after the first full sync (before it, the pinned maps of a previous agent keep
// enforcing), on cluster events, on a short poll while pods wait for their veth, and
// periodically.
import type { Datapath } from '../../bpf/loader/index.ts';
import { ClusterState } from '../cluster/state.ts';
import { DEFAULT_RING_CAPACITY, FlowRing } from '../observer/ring.ts';
import { VethDiscovery } from '../endpoints/discover.ts';
import { EndpointManager, type EndpointRecord, type PinnedEndpoint } from '../endpoints/manager.ts';
import { IdentityAllocator, IdentityExhaustedError } from '../identity/allocator.ts';
import { planIdentityGc } from '../identity/gc.ts';
import { formatLabel, labelSetKey } from '../identity/labels.ts';
import { CidrIdentities } from '../identity/cidr-identities.ts';
import type { LabelSet } from '../identity/labels.ts';
import { objectKey, podHasOwnNetwork, podIPs, nodeAddresses } from '../../lib/kube-objects.ts';
import { localAddresses } from '../endpoints/local-addresses.ts';
import type { ClusterEvent, ClusterSink, ClusterSource } from '../k8s/source.ts';
import type { ClusterView, CompileDelta } from '../policy/compile.ts';
import type { EndpointEnforcement } from '../policy/entries.ts';
import type { IdentityInfo, NamedPort } from '../policy/views.ts';
import { IpcacheSync, desiredIpcache, ipcacheLookupV4 } from '../datapath/ipcache-sync.ts';
import { L7ProxyRuntime, type L7ProxyOptions } from '../proxy/runtime.ts';
import type { TproxyTarget } from '../proxy/transparent.ts';
import { ReservedIdentity } from '../identity/reserved.ts';
import { proxyFlow } from '../proxy/flows.ts';
import { DEFAULT_DNS_PROXY_PORT, DnsProxyRuntime } from '../proxy/dns-runtime.ts';
import { dnsProxyFlow } from '../proxy/dns-flows.ts';
import { FqdnCache } from '../proxy/fqdn-cache.ts';
import type { DnsProxyRecord } from '../proxy/dns-proxy.ts';
import type { DnsMessage } from '../flows/dns.ts';
import type { ProxyRecord } from '../proxy/http-proxy.ts';
import { ServiceSync, desiredServices } from '../datapath/service-sync.ts';
import { PolicyApplier, PolicyWriteError } from '../datapath/policy-apply.ts';
import { DEFAULT_ENDPOINT_CAPACITY } from '../policy/capacity.ts';
import { drainAsync } from '../policy/contributions.ts';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
import { RuleIds } from '../datapath/rule-ids.ts';
import { DnsNames } from '../flows/dns-names.ts';
import { MonotonicClock } from '../flows/clock.ts';
import { FlowEvents, type AuditJudge } from './flow-events.ts';
import { auditFlow } from './audit-flows.ts';
import { namedPorts, nodeInfos, podLabels, servicesView } from './cluster-view.ts';
import { kubeApiserverIPs } from '../policy/kube-apiserver.ts';
import { AgentFlowContext } from './flow-context.ts';
import { PolicyState, type ValidityUpdate } from './policies.ts';
import { ifnameOf } from '../../bpf/loader/index.ts';
import { AgentEventLog } from '../observer/agent-events.ts';
import { emptySnapshot, policySnapshot, serviceSnapshot, ServiceIds, stateEvents, type StateSnapshot } from './agent-event-diff.ts';
import { AgentEventType } from '../../api/types.ts';
import { timestampFromMs } from '../../api/flow-time.ts';

/** Cilium's reserved identity `init` (5): an endpoint whose own identity is not known yet. */
const RESERVED_INIT = 5;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string) => void;

export interface AgentOptions {
  nodeName: string;
  source: ClusterSource;
  datapath: Datapath;
  discovery?: VethDiscovery;
  clusterName?: string;
  version?: string;
  ringCapacity?: number;
  /** While pods wait for their veth, look again this often (default 200 ms). */
  pollMs?: number;
  /** Full reconcile period (default 5 s). */
  resyncMs?: number;
  /** How often the whole policy map is compared with the compiler and repaired (default 60 s). */
  policyCompareMs?: number;
  /** Policy map entries one endpoint may use (default DEFAULT_ENDPOINT_CAPACITY). */
  policyEndpointCapacity?: number;
  /** Identity garbage collection: how often (default 60 s) and after how long unused (default 15 min). */
  identityGcIntervalMs?: number;
  identityGcGraceMs?: number;
  /** Conntrack GC pass period (default 5 s). */
  ctGcIntervalMs?: number;
  log?: Logger;
  /**
   * Run the L7 proxy for HTTP policy (a transparent listener and the node's TPROXY rules, so the
   * agent must be in the node's network namespace). Without it, a proxy entry's traffic is
   * dropped (fails closed).
   */
  l7Proxy?: L7ProxyOptions;
  /** With l7Proxy: where the names the DNS proxy learnt are kept across agent restarts. */
  fqdnStateFile?: string;
  /** How often expired learnt names are dropped (default 10 s). */
  fqdnGcIntervalMs?: number;
}

export interface AgentCounters {
  reconciles: number;
  reconcileErrors: number;
  policyApplies: number;
  lastApplySeconds: number;
  /** Policy map writes that failed and were rolled back. */
  policyWriteFailures: number;
  /** Policy map entries the full comparison found different from the compiler and rewrote. */
  policyRepairs: number;
  /** Expired conntrack entries the GC removed. */
  ctGcDeleted: number;
}

export class Agent {
  readonly nodeName: string;
  readonly state = new ClusterState();
  readonly allocator: IdentityAllocator;
  readonly cidr = new CidrIdentities();
  readonly rules = new RuleIds();
  readonly dns = new DnsNames();
  readonly clock = new MonotonicClock();
  readonly ring: FlowRing;
  readonly endpoints: EndpointManager;
  /** provisional: allocation failed (API server unreachable), enforced as reserved:init meanwhile. */
  readonly podIdentities = new Map<string, { id: number; labels: LabelSet; provisional?: true }>();
  readonly enforcement = new Map<number, EndpointEnforcement>();
  readonly counters: AgentCounters = { reconciles: 0, reconcileErrors: 0, policyApplies: 0, lastApplySeconds: 0, policyWriteFailures: 0, policyRepairs: 0, ctGcDeleted: 0 };
  readonly warnings = new Map<string, string>();
  readonly errors = new Map<string, string>();
  readonly flows: FlowEvents;
  /** AUDIT flows from the shadow table, while a policy is in audit mode (audit-flows.ts). */
  readonly audit: AuditJudge = (ev, flow) => {
    const s = this.policies.shadow;
    return s && auditFlow({ enforced: this.policies.compiler, shadow: s.compiler, shadowCidr: s.cidr, audit: s.audit, flowPolicy: (r) => PolicyState.flowPolicy(r, this.policies.revision) }, ev, flow);
  };
  readonly flowContext: AgentFlowContext;
  readonly startedNs = process.hrtime.bigint();
  /** Hubble agent events (GetAgentEvents) from this agent's own state changes. */
  readonly events: AgentEventLog;
  #snapshot: StateSnapshot = emptySnapshot();
  readonly #serviceIds = new ServiceIds();
  #policyRevision = 0;
  /** Policy apply latencies (seconds), drained by the metrics. */
  onApply?: (seconds: number) => void;
  readonly policies: PolicyState;
  connected = false;
  synced = false;
  readonly #o: AgentOptions;
  readonly #applier: PolicyApplier;
  readonly #ipcache: IpcacheSync;
  readonly #services: ServiceSync;
  #servicesKey = '';
  #first = true;
  #viewKey = '';
  #ipcacheKey = '';
  #timer: NodeJS.Timeout | undefined;
  #intervals: NodeJS.Timeout[] = [];
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(o: AgentOptions) {
    this.#o = o;
    this.nodeName = o.nodeName;
    this.allocator = new IdentityAllocator(o.source.identities);
    this.ring = new FlowRing(o.ringCapacity ?? DEFAULT_RING_CAPACITY);
    this.events = new AgentEventLog(o.nodeName, () => timestampFromMs(Date.now()));
    const pinned: PinnedEndpoint[] = o.datapath.endpoints.entries().flatMap((e) => {
      const ifname = ifnameOf(e.ifindex);
      if (!ifname) return [];
      return [{ ifindex: e.ifindex, ifname, id: e.endpointId, ...(e.ipv4 ? { ipv4: e.ipv4 } : {}), ...(e.ipv6 ? { ipv6: e.ipv6 } : {}) }];
    });
    this.endpoints = new EndpointManager(o.discovery ?? new VethDiscovery(), pinned);
    this.policies = new PolicyState(this.#view(), { perEndpoint: o.policyEndpointCapacity ?? DEFAULT_ENDPOINT_CAPACITY, total: o.datapath.policy.map.info.maxEntries });
    this.#applier = new PolicyApplier(o.datapath.policy, this.rules);
    this.#ipcache = new IpcacheSync(o.datapath.ipcache);
    this.#services = new ServiceSync(o.datapath.services);
    this.flowContext = new AgentFlowContext({
      nodeName: o.nodeName, state: this.state, endpoints: this.endpoints, podIdentities: this.podIdentities, cidr: this.cidr,
      rules: this.rules, policies: this.policies, dns: this.dns, clock: this.clock,
    });
    this.flows = new FlowEvents(this, o.datapath);
    if (o.l7Proxy) {
      const dnsPort = o.l7Proxy.dnsPort ?? DEFAULT_DNS_PROXY_PORT;
      this.dnsProxy = new DnsProxyRuntime({
        origin: (client, port, proto) => this.datapath.l7orig.lookup(client, port, proto),
        endpointOf: (ip) => [...this.endpoints.records.values()].find((r) => r.ipv4 === ip && r.ready && r.identity)?.id,
        identityOf: (ip) => ipcacheLookupV4(this.#ipcache.applied, ip) ?? ReservedIdentity.world,
        decision: (ep, remote, proto, port) => this.policies.compiler.dnsDecision(ep, 'egress', remote, proto, port),
        learn: (_q, m) => this.#learn(m),
        onRecord: (r) => this.#dnsRecord(r),
        log: (level, msg) => this.#log(level, msg),
      }, { port: dnsPort });
      this.l7 = new L7ProxyRuntime({
        ends: (local, remote) => this.#connectionEnds(local, remote),
        decision: (ep, remote, port) => this.policies.compiler.l7Decision(ep, 'ingress', remote, port),
        onRecord: (r) => this.#proxyRecord(r),
        log: (level, msg) => this.#log(level, msg),
      }, { ...o.l7Proxy, dnsPort });
    }
  }

  /** The DNS proxy (egress DNS rules, toFQDNs), with the L7 proxy. */
  readonly dnsProxy: DnsProxyRuntime | undefined;
  /** Names the DNS proxy learnt, for toFQDNs peers. */
  readonly fqdn = new FqdnCache();

  /**
   * Takes in an allowed answer: its A records become live addresses of the names; if that
   * changes what a toFQDNs peer selects, a reconcile writes the ipcache and policy entries, and
   * only then does the answer go to the pod (DnsPolicyProxy holds it until this resolves).
   */
  async #learn(m: DnsMessage): Promise<void> {
    const byName = new Map<string, { ip: string; ttl: number }[]>();
    const query = m.questions[0]?.name;
    for (const a of m.answers) {
      if (a.type !== 1 || !a.data) continue;
      // The address belongs to the name it answers and to the name asked (a CNAME chain's start).
      for (const n of new Set([a.name, ...(query ? [query] : [])])) {
        let l = byName.get(n);
        if (!l) byName.set(n, (l = []));
        l.push({ ip: a.data, ttl: a.ttl });
      }
    }
    let changed = false;
    for (const [name, recs] of byName) if (this.fqdn.learn(name, recs)) changed = true;
    if (!changed) return;
    if (this.#o.fqdnStateFile) await this.fqdn.save(this.#o.fqdnStateFile).catch((err: unknown) => this.errors.set('fqdn-state', `save learnt names: ${(err as Error).message}`));
    await this.#reconcileAfterChange();
  }

  /** A reconcile that starts after this call (one already running may predate the change). */
  async #reconcileAfterChange(): Promise<void> {
    if (this.#running) await this.#running;
    await this.reconcileNow();
  }

  #dnsRecord(r: DnsProxyRecord): void {
    const ep = [...this.endpoints.records.values()].find((e) => e.id === r.endpointId);
    const flow = dnsProxyFlow(r, this.flowContext, {
      clientIdentity: ep?.identity ?? 0,
      serverIdentity: ipcacheLookupV4(this.#ipcache.applied, r.server.address) ?? ReservedIdentity.world,
      policy: (ref) => PolicyState.flowPolicy(ref, this.policies.revision), monotonicNs: process.hrtime.bigint(),
    });
    this.flows.pipeline.inject(flow);
  }

  /** The L7 proxy, when enabled (AgentOptions.l7Proxy). */
  readonly l7: L7ProxyRuntime | undefined;

  #connectionEnds(local: string, remote: string): { endpointId: number; serverIdentity: number; clientIdentity: number } | undefined {
    const rec = [...this.endpoints.records.values()].find((r) => r.ipv4 === local && r.ready);
    if (!rec || !rec.identity) return undefined;
    return { endpointId: rec.id, serverIdentity: rec.identity, clientIdentity: ipcacheLookupV4(this.#ipcache.applied, remote) ?? 2 };
  }

  #proxyRecord(r: ProxyRecord): void {
    if (!r.method) return; // a refused connection, not a request: nothing for an HTTP flow to show
    const ends = this.#connectionEnds(r.server.address.replace(/^::ffff:/, ''), r.client.address.replace(/^::ffff:/, ''));
    const rec = { ...r, client: { ...r.client, address: r.client.address.replace(/^::ffff:/, '') }, server: { ...r.server, address: r.server.address.replace(/^::ffff:/, '') } };
    const flow = proxyFlow(rec, this.flowContext, {
      direction: 'ingress', clientIdentity: ends?.clientIdentity ?? 0, serverIdentity: ends?.serverIdentity ?? 0,
      policy: (ref) => PolicyState.flowPolicy(ref, this.policies.revision), monotonicNs: process.hrtime.bigint(),
    });
    this.flows.pipeline.inject(flow);
  }

  /** The redirect the proxy entries need: per (endpoint IPv4, port), the peers' prefixes. */
  #proxyTargets(): TproxyTarget[] {
    const byId = new Map([...this.endpoints.records.values()].map((r) => [r.id, r]));
    const applied = this.#ipcache.applied;
    const out: TproxyTarget[] = [];
    for (const e of this.policies.compiler.result().entries) {
      if (!e.proxy || e.direction !== 'ingress' || e.protocol !== 6 || e.portBits !== 16) continue;
      const ip = byId.get(e.endpointId)?.ipv4;
      if (!ip) continue;
      if (e.remoteIdentity === 0) {
        out.push({ ip, port: e.port });
        continue;
      }
      const sources = [...applied].filter(([p, v]) => v.identity === e.remoteIdentity && !p.includes(':')).map(([p]) => p).sort();
      // world covers everything no other prefix claims: redirect every peer, the proxy judges each.
      out.push(sources.includes('0.0.0.0/0') ? { ip, port: e.port } : { ip, port: e.port, sources });
    }
    return out;
  }

  async #syncProxy(): Promise<void> {
    if (!this.l7) return;
    try {
      await this.l7.sync(this.#proxyTargets());
      this.errors.delete('l7-proxy');
    } catch (err) {
      this.errors.set('l7-proxy', (err as Error).message);
    }
  }

  get datapath(): Datapath {
    return this.#o.datapath;
  }

  get version(): string {
    return this.#o.version ?? '0.0.0-dev';
  }

  #log(level: LogLevel, msg: string): void {
    this.#o.log?.(level, msg);
  }

  /** Starts watching and reading events; resolves once the source has started. */
  async start(): Promise<void> {
    const sink: ClusterSink = {
      event: (ev: ClusterEvent) => {
        if (this.state.apply(ev)) this.#schedule();
      },
      identity: (ev) => {
        this.allocator.observe(ev);
        this.#schedule();
      },
      synced: () => {
        this.synced = true;
        this.#schedule(0);
      },
      connection: (up, error) => {
        this.connected = up;
        if (up) this.errors.delete('kubernetes');
        else this.errors.set('kubernetes', `API server unreachable: ${error ?? 'disconnected'} (enforcing the last known state)`);
        this.#log(up ? 'info' : 'warn', up ? 'kubernetes: connected' : `kubernetes: ${error ?? 'disconnected'}`);
      },
    };
    this.flows.start();
    if (this.dnsProxy) {
      if (this.#o.fqdnStateFile) {
        const n = this.fqdn.restore(this.#o.fqdnStateFile);
        if (n) this.#log('info', `dns proxy: ${n} learnt addresses restored from ${this.#o.fqdnStateFile}`);
      }
      // The policy route goes in before any policy entry can mark a packet: without it a marked
      // query would be forwarded past the proxy.
      try {
        await this.l7?.redirect.ensureRoute();
        await this.dnsProxy.start();
        this.errors.delete('dns-proxy');
      } catch (err) {
        this.errors.set('dns-proxy', (err as Error).message);
        this.#log('error', (err as Error).message);
      }
      this.#intervals.push(setInterval(() => {
        if (!this.fqdn.gc()) return;
        if (this.#o.fqdnStateFile) void this.fqdn.save(this.#o.fqdnStateFile).catch(() => {});
        this.#schedule(0);
      }, this.#o.fqdnGcIntervalMs ?? 10_000));
    }
    this.events.add({ type: AgentEventType.AGENT_STARTED, agent_start: { time: timestampFromMs(Date.now()) } });
    this.#intervals.push(
      setInterval(() => {
        if (this.endpoints.pending > 0) this.#schedule(0);
      }, this.#o.pollMs ?? 200),
      setInterval(() => this.#schedule(0), this.#o.resyncMs ?? 5000),
      setInterval(() => void this.collectIdentities(), this.#o.identityGcIntervalMs ?? 60_000),
      // Expired conntrack entries are already ignored by the datapath; the GC frees their
      // slots, a bounded slice of each map per pass (a full sweep of 393k entries in ~2 min).
      setInterval(() => this.#conntrackGc(), this.#o.ctGcIntervalMs ?? 5000),
    );
    await this.#o.source.start(sink);
  }

  #conntrackGc(): void {
    try {
      const r = this.datapath.conntrack.gc(process.hrtime.bigint(), 16_384);
      this.counters.ctGcDeleted += r.deleted;
      this.errors.delete('conntrack-gc');
    } catch (err) {
      this.errors.set('conntrack-gc', `conntrack gc: ${(err as Error).message}`);
    }
  }

  /** Stops watching and reading; programs stay attached and maps pinned (restart keeps enforcing). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const t of this.#intervals) clearInterval(t);
    this.flows.stop();
    await this.l7?.stop();
    await this.dnsProxy?.stop();
    await this.#o.source.stop();
    await this.#running;
  }

  #schedule(delayMs = 10): void {
    if (this.#stopped || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.reconcileNow();
    }, delayMs);
  }

  /** Runs a reconcile (or queues one after the running one); resolves when it is done. */
  async reconcileNow(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#reconcile()
      .catch((err: unknown) => {
        this.counters.reconcileErrors++;
        this.errors.set('reconcile', (err as Error).message);
        this.#log('error', `reconcile: ${(err as Error).stack ?? String(err)}`);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.#schedule(0);
        }
      });
    return this.#running;
  }

  async #reconcile(): Promise<void> {
    if (!this.synced) return;
    this.counters.reconciles++;
    await this.#identities();
    const local = this.state.localPods(this.nodeName);
    const { removed } = await this.endpoints.discover(local);
    const liveIfindex = new Set([...this.endpoints.records.values()].map((r) => r.ifindex));
    for (const rec of removed) {
      if (!liveIfindex.has(rec.ifindex)) this.datapath.endpoints.delete(rec.ifindex);
      // Its connections go with it: a pod that reuses the IP inherits no flows.
      this.#policyRev.delete(rec.id);
      this.datapath.conntrack.flushEndpoint(rec.id, [rec.ipv4, rec.ipv6].filter((a): a is string => !!a));
    }
    const rewrite: EndpointRecord[] = [];
    for (const rec of this.endpoints.records.values()) {
      const id = this.podIdentities.get(rec.key)?.id ?? 0;
      if (rec.identity !== id) {
        rec.identity = id;
        if (rec.ready) rewrite.push(rec);
      }
    }
    await this.#applyPolicies(rewrite);
    this.#syncIpcache();
    this.#syncServices();
    await this.#syncProxy();
    this.endpoints.activate({
      attach: (ifindex) => this.datapath.attach(ifindex),
      write: (rec) => this.#writeEndpoint(rec),
      // What a not-ready pod may send: nothing at all, ARP and ND included (bpf/README.md):
      // it has no identity yet, so no rule could judge it.
      writeNotReady: (rec) => this.datapath.endpoints.set(rec.ifindex, {
        endpointId: rec.id, identity: RESERVED_INIT, notReady: true, checkSource: true,
        ...(rec.ipv4 ? { ipv4: rec.ipv4 } : {}), ...(rec.ipv6 ? { ipv6: rec.ipv6 } : {}),
      }),
      remove: (ifindex) => this.datapath.endpoints.delete(ifindex),
    });
    if (this.#first) this.#dropStaleEndpoints();
    this.#first = false;
    this.errors.delete('reconcile');
    this.flowContext.invalidate();
    this.#reportStateEvents();
  }

  /** Policies, endpoints and services compared with the last reconcile, as agent events. */
  #reportStateEvents(): void {
    const endpoints = new Map([...this.endpoints.records.values()].filter((r) => r.ready).map((r) => [r.id, {
      id: r.id, labels: (this.podIdentities.get(r.key)?.labels ?? []).map(formatLabel), podName: r.name, namespace: r.namespace,
    }] as const));
    const next: StateSnapshot = {
      policies: policySnapshot(this.state.objects.policies.values()),
      endpoints,
      services: serviceSnapshot(this.state.objects.services.values(), this.state.objects.endpointslices.values()),
    };
    for (const ev of stateEvents(this.#snapshot, next, this.#serviceIds, () => ++this.#policyRevision)) this.events.add(ev);
    this.#snapshot = next;
  }

  async #identities(): Promise<void> {
    const seen = new Set<string>();
    for (const pod of this.state.objects.pods.values()) {
      if (!podHasOwnNetwork(pod)) continue;
      const key = objectKey(pod.metadata);
      seen.add(key);
      const labels = podLabels(this.state, pod, this.#o.clusterName);
      try {
        const id = this.allocator.lookup(labels) ?? (await this.allocator.allocate(labels));
        this.podIdentities.set(key, { id, labels });
        this.warnings.delete(`identity/${key}`);
      } catch (err) {
        const msg = (err as Error).message;
        if (err instanceof IdentityExhaustedError) {
          // Never a pass: without an identity the pod stays not ready (drops everything).
          this.podIdentities.delete(key);
          this.warnings.set(`identity/${key}`, `identity of pod ${key}: ${msg}: the pod stays not ready, its traffic dropped`);
        } else {
          // The API server cannot be reached: the pod is enforced as Cilium's reserved init (its
          // own policy applies; peers' label selectors do not match it) until allocation succeeds.
          this.podIdentities.set(key, { id: RESERVED_INIT, labels, provisional: true });
          this.warnings.set(`identity/${key}`, `identity of pod ${key}: ${msg}: enforced as reserved:init until its identity can be allocated`);
        }
      }
    }
    for (const key of [...this.podIdentities.keys()]) if (!seen.has(key)) this.podIdentities.delete(key);
  }

  #view(): ClusterView {
    const identities = new Map<number, IdentityInfo>();
    for (const s of this.allocator.identities()) identities.set(s.id, { labels: s.labels, namedPorts: [] });
    for (const pod of this.state.objects.pods.values()) {
      const ident = this.podIdentities.get(objectKey(pod.metadata));
      // A provisional pod's labels must not make reserved:init selectable by them.
      if (!ident || ident.provisional) continue;
      const prev = identities.get(ident.id);
      const ports: NamedPort[] = [...(prev?.namedPorts ?? []), ...namedPorts(pod)];
      identities.set(ident.id, { labels: ident.labels, namedPorts: ports, ips: [...(prev?.ips ?? []), ...podIPs(pod)] });
    }
    const endpoints = [...this.endpoints.records.values()]
      .filter((r) => r.identity !== 0)
      .map((r) => {
        const pod = this.state.objects.pods.get(r.key);
        return { id: r.id, identity: r.identity, labels: this.podIdentities.get(r.key)?.labels ?? [], namedPorts: pod ? namedPorts(pod) : [] };
      });
    return { endpoints, identities, cidrIdentities: this.cidr, services: servicesView(this.state), nodes: nodeInfos(this.state, this.nodeName), fqdn: this.fqdn };
  }

  async #applyPolicies(rewrite: EndpointRecord[]): Promise<void> {
    const t0 = performance.now();
    const r = this.state.revision;
    const eps = [...this.endpoints.records.values()].map((e) => `${e.id}:${e.identity}`).sort().join(',');
    const viewKey = `${r.pods}/${r.namespaces}/${r.nodes}/${r.services}/${r.endpointslices}/${this.allocator.identities().length}/${eps}/${this.fqdn.revision}`;
    const deltas: CompileDelta[] = [];
    let validity: ValidityUpdate[];
    if (this.#first) {
      // The initial load's delta carries every CIDR identity (restored FQDN addresses too) into
      // the ipcache below; its entries are written by the full map comparison.
      const loaded = this.policies.sync(this.state.objects.policies, true);
      validity = loaded.validity;
      deltas.push(...loaded.deltas, this.policies.setView(this.#view()));
      for (const rec of this.endpoints.records.values()) if (rec.ready) rewrite.push(rec);
    } else {
      if (viewKey !== this.#viewKey) deltas.push(this.policies.setView(this.#view()));
      // A policy change compiles in steps with a turn of the event loop between them, so flows,
      // gRPC and /healthz are served while a big policy compiles.
      const s = await drainAsync(this.policies.syncSteps(this.state.objects.policies, false), nextTurn);
      deltas.push(...s.deltas);
      validity = s.validity;
    }
    this.#viewKey = viewKey;
    const touched = new Set<number>();
    const compareDue = performance.now() - this.#lastCompare >= (this.#o.policyCompareMs ?? 60_000);
    // Valid=True is written only once the kernel holds the policy; until then it waits here.
    this.#pendingValidity.push(...validity.filter((u) => u.validity.valid));
    this.#writeValidity(validity.filter((u) => !u.validity.valid));
    try {
      if (this.#first || this.#policyDrift || compareDue) this.#comparePolicyMap(touched);
      else for (const d of deltas) await this.#applyDelta(d, touched);
      this.#writeValidity(this.#pendingValidity.splice(0));
      if (this.#policyDrift) this.#log('info', 'policy map repaired: the kernel matches the compiler again');
      this.#policyDrift = false;
      this.errors.delete('policy/apply');
    } catch (err) {
      if (!(err instanceof PolicyWriteError)) throw err;
      // The kernel holds the previous content: no policy of this batch is reported applied, and
      // the next pass (resync) compares the whole map with the compiler and writes again.
      this.#policyDrift = true;
      this.counters.policyWriteFailures++;
      this.errors.set('policy/apply', `${err.message}; retrying`);
      this.#writeValidity(this.#pendingValidity.map((u) => ({ obj: u.obj, validity: { ...u.validity, valid: false, message: `not applied yet: ${err.message}; retrying` } })));
    }
    for (const d of deltas) {
      for (const c of d.ipcache.add) this.#cidrIpcache.set(c.prefix, c.identity);
      for (const c of d.ipcache.remove) if (!d.ipcache.add.some((a) => a.prefix === c.prefix)) this.#cidrIpcache.delete(c.prefix);
    }
    // Every endpoint whose entries or enforcement changed gets a new policy revision, so its
    // established connections are judged again on their next packet (bpf/lib/conntrack.h).
    // Only now, with every entry added and removed: a packet re-judged before the removals
    // would pass on a stale entry and carry the new revision on, never judged again.
    for (const id of touched) this.#policyRev.set(id, this.#nextPolicyRev());
    for (const rec of this.endpoints.records.values()) if (rec.ready && touched.has(rec.id)) this.#writeEndpoint(rec);
    for (const rec of rewrite) if (!touched.has(rec.id)) this.#writeEndpoint(rec);
    const changed = deltas.some((d) => d.entries.add.length || d.entries.remove.length || d.enforcement.add.length);
    if (changed || this.#first) {
      this.counters.policyApplies++;
      const secs = (performance.now() - t0) / 1000;
      this.counters.lastApplySeconds = secs;
      this.onApply?.(secs);
    }
  }

  #policyDrift = false;
  #lastCompare = 0;
  #pendingValidity: ValidityUpdate[] = [];

  /** One compiler delta: entries added (all-or-nothing), enforcement flags, then removals. */
  async #applyDelta(d: CompileDelta, touched: Set<number>): Promise<void> {
    for (const e of [...d.entries.add, ...d.entries.remove, ...d.enforcement.add, ...d.enforcement.remove]) touched.add(e.endpointId);
    await drainAsync(this.#applier.applySteps(d.entries.add, []), nextTurn);
    for (const e of d.enforcement.add) this.enforcement.set(e.endpointId, e);
    for (const e of d.enforcement.remove) if (!d.enforcement.add.some((a) => a.endpointId === e.endpointId)) this.enforcement.delete(e.endpointId);
    for (const rec of this.endpoints.records.values()) if (rec.ready && touched.has(rec.id)) this.#writeEndpoint(rec);
    await drainAsync(this.#applier.applySteps([], d.entries.remove), nextTurn);
  }

  /**
   * The full comparison: at start (the pinned map holds the last agent's entries), after a failed
   * write, and periodically (anything else that changed the map): writes what differs from the
   * compiler, all-or-nothing, and sets every endpoint's enforcement from it.
   */
  #comparePolicyMap(touched: Set<number>): void {
    const result = this.policies.compiler.result();
    const { written, removed, endpoints } = this.#applier.reconcile(result.entries);
    this.#lastCompare = performance.now();
    if (written + removed > 0 && !this.#first) {
      this.counters.policyRepairs += written + removed;
      this.#log('warn', `policy map: ${written + removed} entries differed from the compiler and were rewritten`);
    }
    for (const id of endpoints) touched.add(id);
    const want = new Map(result.enforcement.map((e) => [e.endpointId, e]));
    for (const [id, e] of want) {
      const cur = this.enforcement.get(id);
      if (!cur || cur.ingress !== e.ingress || cur.egress !== e.egress) touched.add(id);
    }
    for (const id of this.enforcement.keys()) if (!want.has(id)) touched.add(id);
    this.enforcement.clear();
    for (const [id, e] of want) this.enforcement.set(id, e);
  }

  #cidrIpcache = new Map<string, number>();

  /** Per endpoint id, the policy revision written to its endpoint entry. */
  #policyRev = new Map<number, number>();
  /** Starts from the clock so a restarted agent never reuses the last one's revisions: the
   * conntrack entries it finds pinned are all judged again against its policy. */
  #policyRevNext = (Math.floor(Date.now() / 1000) & 0x7fffffff) >>> 0;
  #nextPolicyRev(): number {
    this.#policyRevNext = (this.#policyRevNext + 1) >>> 0;
    return this.#policyRevNext;
  }

  #writeValidity(updates: ReturnType<PolicyState['sync']>['validity']): void {
    for (const u of updates) {
      const st = (u.obj as { status?: { conditions?: { type?: string; status?: string; message?: string; observedGeneration?: number }[] } }).status;
      const cur = st?.conditions?.find((c) => c.type === 'Valid');
      const want = u.validity.valid ? 'True' : 'False';
      if (cur && cur.status === want && cur.message === u.validity.message && cur.observedGeneration === u.validity.generation) continue;
      this.#o.source.setPolicyValidity(u.obj, u.validity).catch((err: unknown) => {
        this.#log('warn', `policy ${objectKey(u.obj.metadata)}: write Valid condition: ${(err as Error).message}`);
      });
    }
  }

  #writeEndpoint(rec: EndpointRecord): void {
    const enf = this.enforcement.get(rec.id);
    const labels = (this.podIdentities.get(rec.key)?.labels ?? []).map(formatLabel);
    try {
      this.datapath.endpoints.set(rec.ifindex, {
        endpointId: rec.id, identity: rec.identity, enforceIngress: enf?.ingress ?? false, enforceEgress: enf?.egress ?? false,
        // Always: a pod may send only from its own addresses, and nothing of a family it has no address of.
        checkSource: true,
        policyRev: this.#policyRev.get(rec.id) ?? this.#policyRevNext,
        ...(rec.ipv4 ? { ipv4: rec.ipv4 } : {}), ...(rec.ipv6 ? { ipv6: rec.ipv6 } : {}),
      });
    } catch (err) {
      this.events.add({ type: AgentEventType.ENDPOINT_REGENERATE_FAILURE, endpoint_regenerate: { id: rec.id, labels, error: (err as Error).message } });
      throw err;
    }
    // Writing the endpoint's entry is netobs's regeneration: identity or enforcement changed.
    this.events.add({ type: AgentEventType.ENDPOINT_REGENERATE_SUCCESS, endpoint_regenerate: { id: rec.id, labels } });
  }

  #syncIpcache(): void {
    const r = this.state.revision;
    const key = `${r.pods}/${r.nodes}/${r.endpointslices}/${[...this.podIdentities.values()].map((i) => i.id).join(',')}/${[...this.#cidrIpcache].join(',')}`;
    if (key === this.#ipcacheKey) return;
    this.#ipcacheKey = key;
    const pods = [...this.state.objects.pods.values()].flatMap((p) => {
      const ident = this.podIdentities.get(objectKey(p.metadata));
      if (!ident) return [];
      const ips = (p.status?.podIPs?.map((x) => x.ip) ?? []).concat(p.status?.podIP ? [p.status.podIP] : []);
      return [{ ips: [...new Set(ips)], identity: ident.id, local: p.spec?.nodeName === this.nodeName, ...(p.status?.hostIP ? { hostIP: p.status.hostIP } : {}) }];
    });
    // This node is also every address its own interfaces carry (e.g. the pod CIDR gateway a CNI
    // puts on the node), as Cilium treats its router IP: traffic from them is the host's.
    const nodes = this.state.nodes().map((n) => {
      const local = n.metadata.name === this.nodeName;
      return { addresses: local ? [...new Set([...nodeAddresses(n), ...localAddresses()])] : nodeAddresses(n), local };
    });
    const cidrs = [...this.#cidrIpcache].map(([prefix, identity]) => ({ prefix, identity }));
    this.#ipcache.apply(desiredIpcache({ pods, nodes, cidrs, kubeApiserver: kubeApiserverIPs(servicesView(this.state)) }));
  }

  /** Service translation for this node's pods (agent/datapath/service-sync.ts). */
  #syncServices(): void {
    const r = this.state.revision;
    const key = `${r.services}/${r.endpointslices}/${r.nodes}`;
    if (key === this.#servicesKey) return;
    const o = this.state.objects;
    this.#services.apply(desiredServices(o.services.values(), o.endpointslices.values(), this.state.nodes(), this.#services.ids));
    this.#servicesKey = key;
  }

  /** After a restart: endpoint map entries of interfaces that no longer exist. */
  #dropStaleEndpoints(): void {
    const live = new Set([...this.endpoints.records.values()].map((r) => r.ifindex));
    for (const e of this.datapath.endpoints.entries()) {
      if (!live.has(e.ifindex) && ifnameOf(e.ifindex) === undefined) this.datapath.endpoints.delete(e.ifindex);
    }
  }

  #unusedSince = new Map<number, number>();

  /**
   * Deletes identities no pod in the cluster has used for the grace period. Every agent runs the
   * same plan over the same pods; deleting twice is harmless (agent/identity/gc.ts).
   */
  async collectIdentities(now = Date.now()): Promise<number[]> {
    if (!this.synced || !this.connected) return [];
    const live = new Set([...this.podIdentities.values()].map((i) => labelSetKey(i.labels)));
    const plan = planIdentityGc({ identities: this.allocator.identities(), liveLabelKeys: live, unusedSince: this.#unusedSince, now, graceMs: this.#o.identityGcGraceMs });
    this.#unusedSince = plan.unusedSince;
    for (const id of plan.deleteIds) {
      try {
        await this.#o.source.identities.delete(id);
        this.allocator.observe({ type: 'deleted', identity: { id, labels: this.allocator.labelsOf(id) ?? [] } });
      } catch (err) {
        this.warnings.set('identity-gc', `delete identity ${id}: ${(err as Error).message}`);
      }
    }
    return plan.deleteIds;
  }

  ipcacheSize(): number {
    return this.#ipcache.size;
  }
}
