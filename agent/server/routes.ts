// The status API's routes, shared by the HTTP servers (health port and the unix socket) and
// the gRPC AgentStatus service the relay proxies:
//   GET /v1/status                          AgentStatus
//   GET /v1/endpoints[?policy=true]         EndpointStatus[] (with policy map entries)
//   GET /v1/maps                            MapStatus[]
//   GET /v1/maps/NAME?limit=100[&continue=TOKEN][&offset=N]   MapEntriesPage (ipcache, policy, ct,
//                                           endpoint decoded), reading only that page from the kernel
//   GET /v1/explain?src=&dst=&port=&protocol=   PolicyExplanation for the sides this node holds
import type { Agent } from '../runtime/agent.ts';
import { PageCursorError } from '../../bpf/loader/index.ts';
import { UserError } from '../../lib/errors.ts';
import { agentExplanation } from './explain.ts';
import { agentStatus, endpointStatuses, mapEntries, mapStatuses } from './gather.ts';

export interface RouteResult {
  code: number;
  body: unknown;
}

export const STATUS_PATHS = ['/v1/status', '/v1/endpoints', '/v1/maps', '/v1/maps/NAME', '/v1/explain'] as const;

export function routeStatus(agent: Agent, pathAndQuery: string): RouteResult {
  const url = new URL(pathAndQuery, 'http://agent');
  const p = url.pathname.replace(/\/+$/, '');
  const num = (k: string, dflt: number, max: number): number => {
    const v = Number(url.searchParams.get(k) ?? dflt);
    return Number.isInteger(v) && v >= 0 ? Math.min(v, max) : dflt;
  };
  try {
    if (p === '/v1/status') return { code: 200, body: agentStatus(agent) };
    if (p === '/v1/endpoints') return { code: 200, body: endpointStatuses(agent, url.searchParams.get('policy') === 'true') };
    if (p === '/v1/maps') return { code: 200, body: mapStatuses(agent) };
    if (p === '/v1/explain') {
      const q = url.searchParams;
      const port = Number(q.get('port'));
      if (!q.get('src') || !q.get('dst') || !Number.isInteger(port) || port < 0 || port > 65535) {
        return { code: 400, body: { error: 'explain: needs src, dst, port (0-65535) and protocol' } };
      }
      return { code: 200, body: agentExplanation(agent, { src: q.get('src')!, dst: q.get('dst')!, port, protocol: q.get('protocol') ?? 'TCP' }) };
    }
    const m = /^\/v1\/maps\/([a-z_]+)$/.exec(p);
    if (m?.[1]) {
      const after = url.searchParams.get('continue') ?? undefined;
      const page = mapEntries(agent, m[1], { after, skip: num('offset', 0, 1_000_000), limit: num('limit', 100, 10_000) });
      return page ? { code: 200, body: page } : { code: 404, body: { error: `map ${m[1]}: no such map (GET /v1/maps lists them)` } };
    }
    return { code: 404, body: { error: `${p}: not found (use ${STATUS_PATHS.join(', ')})` } };
  } catch (err) {
    if (err instanceof PageCursorError) return { code: err.status, body: { error: err.message } };
    if (err instanceof UserError) return { code: 400, body: { error: err.message } };
    return { code: 500, body: { error: (err as Error).message } };
  }
}
