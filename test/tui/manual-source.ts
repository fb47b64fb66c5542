// A TuiDataSource driven by the test: it pushes flows, lost events and errors when it wants, and
// sets what the list calls answer (or make them fail).
import type { Flow, LostEvent, NodeStatusEvent } from '../../api/types.ts';
import type { EndpointInfo, FlowListener, MapEntriesPage, MapInfo, ServerStatusInfo, TuiDataSource } from '../../tui/model/types.ts';

export class ManualSource implements TuiDataSource {
  listeners = new Set<FlowListener>();
  endpoints: EndpointInfo[] | Error = [];
  maps: MapInfo[] | Error = [];
  status: ServerStatusInfo | Error = { numConnectedNodes: 2, unavailableNodes: [], flowsRate: 0, lost: 0 };
  entryCalls: { node: string; map: string; offset: number; limit: number }[] = [];
  closed = 0;
  /** Set by a test to answer `policy explain` (the flow detail of a drop). */
  explain?: TuiDataSource['explain'];

  subscribeFlows(l: FlowListener) {
    this.listeners.add(l);
    return { close: () => { this.listeners.delete(l); this.closed++; } };
  }
  push(...flows: Flow[]): void { for (const l of this.listeners) l.flows(flows); }
  lose(e: LostEvent): void { for (const l of this.listeners) l.lost(e); }
  nodeStatus(e: NodeStatusEvent): void { for (const l of this.listeners) l.nodeStatus?.(e); }
  fail(err: Error): void { for (const l of this.listeners) l.error(err); }

  async listEndpoints(): Promise<EndpointInfo[]> { if (this.endpoints instanceof Error) throw this.endpoints; return this.endpoints; }
  async listMaps(): Promise<MapInfo[]> { if (this.maps instanceof Error) throw this.maps; return this.maps; }
  async serverStatus(): Promise<ServerStatusInfo> { if (this.status instanceof Error) throw this.status; return this.status; }
  async mapEntries(node: string, map: string, page: { offset: number; limit: number }): Promise<MapEntriesPage> {
    this.entryCalls.push({ node, map, ...page });
    const total = 45;
    const entries = Array.from({ length: Math.max(0, Math.min(page.limit, total - page.offset)) }, (_, i) => ({ key: `10.0.0.${page.offset + i}/32`, value: `identity=${16000 + page.offset + i}` }));
    return { entries, total, offset: page.offset };
  }
}
