// Time-ordered merge of the GetFlows streams of several nodes (the relay). Events wait in a
// buffer sorted by time and leave it when every live node has something buffered (so nothing
// older can still arrive), when the buffer is full, or when they waited longer than maxDelayMs
// (an idle node must not stall a follow). A node that ends or fails stops being waited for and
// is reported once as a NodeStatusEvent. Pure: the caller supplies the clock.
import type { GetFlowsResponse, NodeStatusEvent, Timestamp } from '../api/types.ts';
import { NodeState } from '../api/types.ts';
import { compareTimestamps } from '../api/flow-time.ts';

export interface MergeOptions {
  /** Most events held for sorting (hubble relay's sort buffer, default 100). */
  maxBuffered?: number;
  /** Longest an event waits for older ones from other nodes (default 1000 ms). */
  maxDelayMs?: number;
}

interface Pending { res: GetFlowsResponse; time: Timestamp | undefined; at: number; node: string; seq: number }

const timeOf = (r: GetFlowsResponse): Timestamp | undefined => r.flow?.time ?? r.time;

export function nodeStatus(state: NodeState, nodes: string[], message = ''): GetFlowsResponse {
  const node_status: NodeStatusEvent = { state_change: state, node_names: nodes, ...(message ? { message } : {}) };
  return { node_status };
}

export class FlowMerger {
  private readonly maxBuffered: number;
  private readonly maxDelayMs: number;
  private buffer: Pending[] = [];
  private readonly live = new Map<string, number>(); // node → events buffered
  private seq = 0;

  constructor(nodes: readonly string[], opts: MergeOptions = {}) {
    this.maxBuffered = opts.maxBuffered ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    for (const n of nodes) this.live.set(n, 0);
  }

  get nodes(): string[] { return [...this.live.keys()]; }

  /** A node joins (e.g. discovered later); reported as NODE_CONNECTED. */
  addNode(node: string): GetFlowsResponse[] {
    if (this.live.has(node)) return [];
    this.joinNode(node);
    return [nodeStatus(NodeState.NODE_CONNECTED, [node])];
  }

  /**
   * An event from a node; returns what may be emitted now, in order. A node's own status events
   * (a re-subscribing stream reports NODE_UNAVAILABLE, then NODE_CONNECTED) pass at once and make
   * the merge stop or start waiting for that node.
   */
  push(node: string, res: GetFlowsResponse, nowMs: number): GetFlowsResponse[] {
    if (res.node_status) {
      const st = res.node_status.state_change;
      if (st === NodeState.NODE_CONNECTED) {
        this.joinNode(node);
        return [res];
      }
      if (st === NodeState.NODE_UNAVAILABLE || st === NodeState.NODE_GONE || st === NodeState.NODE_ERROR) {
        this.dropNode(node);
        return [res, ...this.release(nowMs)];
      }
      return [res];
    }
    const count = this.live.get(node);
    if (count === undefined) return []; // late event of a node already gone
    this.live.set(node, count + 1);
    const p: Pending = { res: res.node_name ? res : { ...res, node_name: node }, time: timeOf(res), at: nowMs, node, seq: this.seq++ };
    // Insert keeping (time, arrival) order; events mostly arrive in order, so search from the end.
    let i = this.buffer.length;
    while (i > 0 && compare(this.buffer[i - 1] as Pending, p) > 0) i--;
    this.buffer.splice(i, 0, p);
    return this.release(nowMs);
  }

  /** A node's stream ended (state NODE_GONE) or failed (NODE_UNAVAILABLE / NODE_ERROR, with a message). */
  end(node: string, nowMs: number, state: NodeState = NodeState.NODE_GONE, message = ''): GetFlowsResponse[] {
    if (!this.live.has(node)) return [];
    this.dropNode(node);
    const status = state === NodeState.NODE_GONE && !message ? [] : [nodeStatus(state, [node], message)];
    return [...status, ...this.release(nowMs)];
  }

  /** Call periodically: releases events that waited longer than maxDelayMs. */
  tick(nowMs: number): GetFlowsResponse[] {
    return this.release(nowMs);
  }

  /** Everything still buffered, in order (end of a non-follow request). */
  flush(): GetFlowsResponse[] {
    const out = this.buffer.map((p) => p.res);
    this.buffer = [];
    for (const n of this.live.keys()) this.live.set(n, 0);
    return out;
  }

  get buffered(): number { return this.buffer.length; }

  /** Waits for the node again, counting what it still has buffered from before it left. */
  private joinNode(node: string): void {
    if (!this.live.has(node)) this.live.set(node, this.buffer.filter((p) => p.node === node).length);
  }

  /** Stops waiting for a node; what it has buffered stays, counted for nobody. */
  private dropNode(node: string): void {
    this.live.delete(node);
  }

  private release(nowMs: number): GetFlowsResponse[] {
    const out: GetFlowsResponse[] = [];
    for (;;) {
      const head = this.buffer[0];
      if (!head) break;
      const everyNodeAhead = [...this.live.values()].every((c) => c > 0);
      if (!everyNodeAhead && this.buffer.length <= this.maxBuffered && nowMs - head.at < this.maxDelayMs) break;
      this.buffer.shift();
      const c = this.live.get(head.node);
      if (c !== undefined) this.live.set(head.node, c - 1);
      out.push(head.res);
    }
    return out;
  }
}

function compare(a: Pending, b: Pending): number {
  return compareTimestamps(a.time, b.time) || a.seq - b.seq;
}
