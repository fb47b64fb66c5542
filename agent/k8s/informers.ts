// The ClusterSource backed by an API server: one @kubernetes/client-node informer (list, then
// watch) per resource, lists fetched as raw JSON. An informer whose list or watch fails reports
// the connection down and is restarted with exponential backoff (1 s to 30 s); the runtime keeps
// enforcing what it last knew meanwhile. `synced` fires once every informer has listed.
import { makeInformer, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { IDENTITY_GROUP, IDENTITY_PLURAL, IDENTITY_VERSION, identityFromResource } from '../identity/resource.ts';
import { GROUP, VERSION } from '../../api/kube-names.ts';
import { KubeIdentityStore } from './identity-store.ts';
import { KubeRest } from '../../lib/kube-rest.ts';
import type { ClusterEvent, ClusterSink, ClusterSource, NodeStatusPayload, PolicyValidity, ResourceKind } from './source.ts';
import { writeNodeStatus, writePolicyValidity } from './status-writers.ts';
import type { PolicyObject } from '../../lib/kube-objects.ts';

interface Watched {
  name: string;
  path: string;
  kind: ResourceKind | 'identities';
  /** List items carry no apiVersion/kind; policies need them to be parsed. */
  apiVersion?: string;
  objectKind?: string;
}

const WATCHED: readonly Watched[] = [
  { name: 'namespaces', path: '/api/v1/namespaces', kind: 'namespaces' },
  { name: 'nodes', path: '/api/v1/nodes', kind: 'nodes' },
  { name: 'pods', path: '/api/v1/pods', kind: 'pods' },
  { name: 'services', path: '/api/v1/services', kind: 'services' },
  { name: 'endpointslices', path: '/apis/discovery.k8s.io/v1/endpointslices', kind: 'endpointslices' },
  { name: 'networkpolicies', path: '/apis/networking.k8s.io/v1/networkpolicies', kind: 'policies', apiVersion: 'networking.k8s.io/v1', objectKind: 'NetworkPolicy' },
  { name: 'netobs networkpolicies', path: `/apis/${GROUP}/${VERSION}/networkpolicies`, kind: 'policies', apiVersion: `${GROUP}/${VERSION}`, objectKind: 'NetworkPolicy' },
  { name: 'netobs clusterwidenetworkpolicies', path: `/apis/${GROUP}/${VERSION}/clusterwidenetworkpolicies`, kind: 'policies', apiVersion: `${GROUP}/${VERSION}`, objectKind: 'ClusterwideNetworkPolicy' },
  { name: 'netobsidentities', path: `/apis/${IDENTITY_GROUP}/${IDENTITY_VERSION}/${IDENTITY_PLURAL}`, kind: 'identities' },
];

export interface KubeSourceOptions {
  /** Backoff bounds for restarting a failed informer (default 1 s, 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class KubeClusterSource implements ClusterSource {
  readonly rest: KubeRest;
  readonly identities: KubeIdentityStore;
  #informers: { w: Watched; inf: Informer<KubernetesObject> }[] = [];
  #failed = new Set<string>();
  #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(readonly kc: KubeConfig, private readonly o: KubeSourceOptions = {}) {
    this.rest = new KubeRest(kc);
    this.identities = new KubeIdentityStore(this.rest);
  }

  async start(sink: ClusterSink): Promise<void> {
    this.#stopped = false;
    const pending = new Set(WATCHED.map((w) => w.name));
    const up = (): void => {
      if (this.#failed.size === 0) sink.connection(true);
    };
    for (const w of WATCHED) {
      const fix = (o: KubernetesObject): KubernetesObject => (w.apiVersion ? { ...o, apiVersion: w.apiVersion, kind: w.objectKind } : o);
      const inf = makeInformer<KubernetesObject>(this.kc, w.path, () => this.rest.get<KubernetesListObject<KubernetesObject>>(w.path));
      const emit = (type: 'upsert' | 'delete') => (obj: KubernetesObject): void => {
        if (w.kind === 'identities') {
          const identity = identityFromResource(obj);
          if (identity) sink.identity({ type: type === 'delete' ? 'deleted' : 'added', identity });
          return;
        }
        sink.event({ kind: w.kind, type, obj: fix(obj) } as unknown as ClusterEvent);
      };
      inf.on('add', emit('upsert'));
      inf.on('update', emit('upsert'));
      inf.on('delete', emit('delete'));
      let backoff = this.o.minBackoffMs ?? 1000;
      const restart = (): void => {
        if (this.#stopped) return;
        const t = setTimeout(() => {
          this.#timers.delete(t);
          void run();
        }, backoff);
        this.#timers.add(t);
        backoff = Math.min(backoff * 2, this.o.maxBackoffMs ?? 30_000);
      };
      let failedThisRun = false;
      inf.on('error', (err: unknown) => {
        if (this.#stopped) return; // stop() aborts the watches: not a failure
        failedThisRun = true;
        this.#failed.add(w.name);
        sink.connection(false, `${w.name}: ${(err as Error)?.message ?? String(err)}`);
        restart();
      });
      const run = async (): Promise<void> => {
        failedThisRun = false;
        await inf.start();
        if (failedThisRun) return;
        backoff = this.o.minBackoffMs ?? 1000;
        this.#failed.delete(w.name);
        up();
        if (pending.delete(w.name) && pending.size === 0) sink.synced();
      };
      this.#informers.push({ w, inf });
      await run();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all(this.#informers.map(({ inf }) => inf.stop()));
    this.#informers = [];
  }

  setPolicyValidity(obj: PolicyObject, v: PolicyValidity): Promise<void> {
    return writePolicyValidity(this.rest, obj, v);
  }

  publishNodeStatus(node: string, status: NodeStatusPayload): Promise<void> {
    return writeNodeStatus(this.rest, node, status);
  }
}
