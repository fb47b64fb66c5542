// How many policy map entries the compiler may use: per endpoint (so one endpoint's policies
// cannot take the whole node's map) and in total (the map's max_entries). A policy whose entries
// would exceed either is refused with the numbers before anything is written.

/** Per-endpoint budget by default: Cilium's default per-endpoint policy map size. */
export const DEFAULT_ENDPOINT_CAPACITY = 16_384;

export interface PolicyCapacity {
  readonly perEndpoint: number;
  readonly total: number;
}

/** Undefined when within capacity, else why not (entries needed vs capacity). */
export function capacityProblem(counts: ReadonlyMap<number, number>, cap: PolicyCapacity): string | undefined {
  let total = 0;
  let worst: [number, number] | undefined;
  for (const [ep, n] of counts) {
    total += n;
    if (!worst || n > worst[1]) worst = [ep, n];
  }
  if (worst && worst[1] > cap.perEndpoint) {
    return `needs ${worst[1]} policy map entries on endpoint ${worst[0]}, over its capacity of ${cap.perEndpoint} (use port ranges or fewer peers, or split the policy)`;
  }
  if (total > cap.total) return `needs ${total} policy map entries on this node, over the map's capacity of ${cap.total}`;
  return undefined;
}
