// Endpoint IDs: small numbers (1..65535, as Cilium's) that name a local pod in the endpoint and
// policy maps and in flows. An ID is a hash of the pod's namespace/name, so it survives agent
// restarts and is the same whichever order pods are discovered in; a collision with another
// local pod moves to the next free number.

export const MAX_ENDPOINT_ID = 65535;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The preferred ID of a pod. */
export function endpointIdOf(namespace: string, name: string): number {
  return (fnv1a(`${namespace}/${name}`) % MAX_ENDPOINT_ID) + 1;
}

/** Hands out IDs: the preferred one, or the next free one when another pod holds it. */
export class EndpointIds {
  readonly #byKey = new Map<string, number>();
  readonly #used = new Map<number, string>();

  /** `previous` is the ID the pinned maps already use for this pod (after a restart). */
  assign(namespace: string, name: string, previous?: number): number {
    const key = `${namespace}/${name}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    let id = previous !== undefined && !this.#used.has(previous) ? previous : endpointIdOf(namespace, name);
    for (let i = 0; this.#used.has(id); i++) {
      if (i >= MAX_ENDPOINT_ID) throw new Error('assign endpoint id: every id is in use');
      id = (id % MAX_ENDPOINT_ID) + 1;
    }
    this.#byKey.set(key, id);
    this.#used.set(id, key);
    return id;
  }

  release(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const id = this.#byKey.get(key);
    if (id === undefined) return;
    this.#byKey.delete(key);
    this.#used.delete(id);
  }

  get(namespace: string, name: string): number | undefined {
    return this.#byKey.get(`${namespace}/${name}`);
  }
}
