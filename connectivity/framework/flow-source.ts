// Where flows come from: the relay in a cluster, a recorded list in tests.
import type { Flow, FlowFilter } from '../../api/types.ts';

export interface FlowQuery {
  /** Flows matching any of these filters (GetFlowsRequest.whitelist). */
  whitelist: FlowFilter[];
  since: Date;
  until: Date;
}

export interface FlowSource {
  /** Flows seen so far in the window, oldest first; never waits for new ones. */
  getFlows(query: FlowQuery): Promise<Flow[]>;
}
