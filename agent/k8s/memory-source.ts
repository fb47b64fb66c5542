// A ClusterSource held in memory: objects are put and deleted by the caller. The runtime tests
// drive the agent with it, and `agent --cluster-file` uses it to run an agent without an API
// server (debugging on a plain host). Status writes are recorded, not sent anywhere.
import { MemoryIdentityStore } from '../identity/store.ts';
import { objectKey, type PolicyObject } from '../../lib/kube-objects.ts';
import type { ClusterEvent, ClusterSink, ClusterSource, NodeStatusPayload, PolicyValidity, ResourceKind, ResourceTypes } from './source.ts';

export class MemoryClusterSource implements ClusterSource {
  readonly identities = new MemoryIdentityStore();
  readonly validity = new Map<string, PolicyValidity>();
  readonly nodeStatus = new Map<string, NodeStatusPayload>();
  readonly #objects = new Map<string, ClusterEvent>();
  #sink: ClusterSink | undefined;
  #rv = 0;

  async start(sink: ClusterSink): Promise<void> {
    this.#sink = sink;
    sink.connection(true);
    for (const ev of this.#objects.values()) sink.event(ev);
    sink.synced();
  }

  async stop(): Promise<void> {
    this.#sink = undefined;
  }

  /** Adds or replaces an object (a new resourceVersion each time, as an API server would). */
  put<K extends ResourceKind>(kind: K, obj: ResourceTypes[K]): void {
    const o = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } } as ResourceTypes[K];
    const ev = { kind, type: 'upsert', obj: o } as ClusterEvent;
    this.#objects.set(keyOf(kind, o), ev);
    this.#sink?.event(ev);
  }

  delete<K extends ResourceKind>(kind: K, obj: ResourceTypes[K]): void {
    const key = keyOf(kind, obj);
    const prev = this.#objects.get(key);
    if (!prev) return;
    this.#objects.delete(key);
    this.#sink?.event({ ...prev, type: 'delete' } as ClusterEvent);
  }

  /** Simulates losing and regaining the API server. */
  setConnected(up: boolean): void {
    this.#sink?.connection(up, up ? undefined : 'connection refused');
  }

  async setPolicyValidity(obj: PolicyObject, v: PolicyValidity): Promise<void> {
    this.validity.set(`${obj.kind}/${objectKey(obj.metadata)}`, v);
  }

  async publishNodeStatus(node: string, status: NodeStatusPayload): Promise<void> {
    this.nodeStatus.set(node, status);
  }
}

function keyOf(kind: ResourceKind, o: { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string } }): string {
  return kind === 'policies' ? `${kind}/${o.apiVersion}/${o.kind}/${objectKey(o.metadata)}` : `${kind}/${objectKey(o.metadata)}`;
}
