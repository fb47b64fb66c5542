// Cluster-wide identities as NetobsIdentity objects (agent/identity/resource.ts): create is
// create-if-absent because the API server answers 409 AlreadyExists to the second creator.
import { IDENTITY_GROUP, IDENTITY_PLURAL, IDENTITY_VERSION, identityFromResource, identityToResource } from '../identity/resource.ts';
import type { LabelSet } from '../identity/labels.ts';
import type { IdentityStore, StoredIdentity } from '../identity/store.ts';
import { statusOf, type KubeRest } from '../../lib/kube-rest.ts';

export const IDENTITY_PATH = `/apis/${IDENTITY_GROUP}/${IDENTITY_VERSION}/${IDENTITY_PLURAL}`;

export class KubeIdentityStore implements IdentityStore {
  constructor(private readonly rest: KubeRest) {}

  async list(): Promise<StoredIdentity[]> {
    const l = await this.rest.get<{ items?: unknown[] }>(IDENTITY_PATH);
    return (l.items ?? []).map(identityFromResource).filter((x): x is StoredIdentity => x !== undefined).sort((a, b) => a.id - b.id);
  }

  async get(id: number): Promise<StoredIdentity | undefined> {
    const o = await this.rest.find(`${IDENTITY_PATH}/${id}`);
    return o === undefined ? undefined : identityFromResource(o);
  }

  async create(id: number, labels: LabelSet): Promise<'ok' | 'conflict'> {
    try {
      await this.rest.request('POST', IDENTITY_PATH, identityToResource(id, labels));
      return 'ok';
    } catch (err) {
      if (statusOf(err) === 409) return 'conflict';
      throw err;
    }
  }

  async delete(id: number): Promise<void> {
    try {
      await this.rest.request('DELETE', `${IDENTITY_PATH}/${id}`);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
}
