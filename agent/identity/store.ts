// Where cluster-wide identities live. The agent's store is backed by the Kubernetes API
// (cluster-scoped NetobsIdentity objects, see resource.ts); the memory store here is the same
// contract for tests and for the lab without an API server.
import { labelSetEquals, type LabelSet } from './labels.ts';

export interface StoredIdentity {
  readonly id: number;
  readonly labels: LabelSet;
}

/**
 * `create` has create-if-absent semantics (HTTP 409 AlreadyExists maps to 'conflict'): the first
 * writer of an id wins, which is what makes concurrent allocation on many nodes safe.
 * `get` is needed after a conflict, because a 409 does not carry the winner's labels.
 */
export interface IdentityStore {
  list(): Promise<StoredIdentity[]>;
  get(id: number): Promise<StoredIdentity | undefined>;
  create(id: number, labels: LabelSet): Promise<'ok' | 'conflict'>;
  /** Deleting an id that does not exist is not an error. */
  delete(id: number): Promise<void>;
}

export class MemoryIdentityStore implements IdentityStore {
  readonly #items = new Map<number, StoredIdentity>();

  async list(): Promise<StoredIdentity[]> {
    return [...this.#items.values()].sort((a, b) => a.id - b.id);
  }

  async get(id: number): Promise<StoredIdentity | undefined> {
    return this.#items.get(id);
  }

  async create(id: number, labels: LabelSet): Promise<'ok' | 'conflict'> {
    // Yield first so that concurrent creators interleave as they would over the network.
    await Promise.resolve();
    if (this.#items.has(id)) return 'conflict';
    this.#items.set(id, { id, labels });
    return 'ok';
  }

  async delete(id: number): Promise<void> {
    this.#items.delete(id);
  }

  /** Test helper: does the store hold exactly this identity? */
  holds(id: number, labels: LabelSet): boolean {
    const got = this.#items.get(id);
    return got !== undefined && labelSetEquals(got.labels, labels);
  }
}
