// The agent status API's documents, each with its path and the type of its body: the one place
// that spells '/v1/…' for clients (agent/server/routes.ts serves them). A client asks with
// query(statusPath.endpoints({ policy: true })) and gets EndpointStatus[] back.
import type { PolicyExplanation } from './explain.ts';
import type { AgentStatus, EndpointStatus, MapEntriesPage, MapStatus } from './types.ts';

/** A status path carrying the type of the document it answers with. */
export type StatusPath<T> = string & { readonly __document?: T };

const path = <T>(p: string): StatusPath<T> => p as StatusPath<T>;

export const statusPath = {
  status: (): StatusPath<AgentStatus> => path('/v1/status'),
  /** With policy: each endpoint's policy map entries too. */
  endpoints: (o: { policy?: boolean } = {}): StatusPath<EndpointStatus[]> => path(o.policy ? '/v1/endpoints?policy=true' : '/v1/endpoints'),
  maps: (): StatusPath<MapStatus[]> => path('/v1/maps'),
  /** `continue` (a previous page's token) costs O(limit); `offset` steps over that many keys first. */
  mapEntries: (name: string, page: { offset?: number; limit: number; continue?: string }): StatusPath<MapEntriesPage> =>
    path(`/v1/maps/${encodeURIComponent(name)}?${page.continue ? `continue=${encodeURIComponent(page.continue)}&` : ''}offset=${page.offset ?? 0}&limit=${page.limit}`),
  /** `policy explain` for the sides the node holds (the source's egress, the destination's ingress). */
  explain: (q: { src: string; dst: string; port: number; protocol: string }): StatusPath<PolicyExplanation> =>
    path(`/v1/explain?${new URLSearchParams({ src: q.src, dst: q.dst, port: String(q.port), protocol: q.protocol }).toString()}`),
};
