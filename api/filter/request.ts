// A GetFlows request as both servers (agent and relay) read it: its filters compiled, its
// bounds defaulted, and the call's start (a bad filter answers INVALID_ARGUMENT).
import * as grpc from '@grpc/grpc-js';
import type { GetFlowsRequest, GetFlowsResponse, Timestamp } from '../types.ts';
import { compileFilters, type FlowPredicate } from './filter.ts';
import { FilterError } from './filter-match.ts';

export interface Query {
  predicate: FlowPredicate;
  number: number;
  first: boolean;
  follow: boolean;
  since: Timestamp | undefined;
  until: Timestamp | undefined;
}

/** Validates a request (throws FilterError on a bad filter). */
export function compileRequest(req: GetFlowsRequest): Query {
  return {
    predicate: compileFilters(req.whitelist ?? [], req.blacklist ?? []),
    number: req.number ?? 0,
    first: req.first ?? false,
    follow: req.follow ?? false,
    since: req.since,
    until: req.until,
  };
}

/**
 * The start every GetFlows answer shares (agent and relay): a bad filter answers
 * INVALID_ARGUMENT; otherwise the returned controller aborts when the client goes away (and the
 * caller may abort it to stop its own readers).
 */
export function acceptGetFlows(call: grpc.ServerWritableStream<GetFlowsRequest, GetFlowsResponse>): AbortController | undefined {
  try {
    compileRequest(call.request);
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: err.message });
    return undefined;
  }
  const ac = new AbortController();
  call.on('cancelled', () => ac.abort());
  call.on('close', () => ac.abort());
  return ac;
}

