// A GetFlows request as both servers (agent and relay) read it: its filters compiled, its
// bounds defaulted, and the call's start (a bad filter answers INVALID_ARGUMENT).
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { messageType } from '../schema.ts';
import type { FlowFilter, GetFlowsRequest, GetFlowsResponse, Timestamp } from '../types.ts';
import { compileFilters, type FlowPredicate } from './filter.ts';
import { FilterError } from './filter-match.ts';

export interface Query {
  predicate: FlowPredicate;
  number: number;
  first: boolean;
  follow: boolean;
  since: Timestamp | undefined;
  until: Timestamp | undefined;
  /** field_mask, or where older hubble clients put it (experimental.field_mask). */
  fieldMask: string[];
}

/**
 * The most filter values one request may carry (all lists of all filters together): each is
 * checked against every flow the request reads, so this bounds the work one request asks for.
 */
export const MAX_FILTER_VALUES = 1000;

function countValues(filters: readonly FlowFilter[]): number {
  let n = 0;
  for (const f of filters) {
    for (const v of Object.values(f)) if (Array.isArray(v)) n += v.length;
    n += f.experimental?.cel_expression?.length ?? 0;
  }
  return n;
}

/** A field-mask path must name Flow fields, as hubble's servers check it. */
function checkFlowPath(path: string): void {
  let type: protobuf.Type | undefined = messageType('flow.Flow');
  for (const part of path.split('.')) {
    const field: protobuf.Field | undefined = type?.fields[part];
    if (!type || !field) throw new FilterError(`invalid request: field_mask path ${JSON.stringify(path)} is not a Flow field`);
    field.resolve();
    type = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
  }
}

/** Validates a request (throws FilterError on a bad filter or a field netobs cannot honour). */
export function compileRequest(req: GetFlowsRequest): Query {
  if (req.unknown_fields?.length) {
    throw new FilterError(`invalid request: GetFlowsRequest field ${req.unknown_fields.join(', ')} is not known to netobs (a newer client?); refusing rather than ignoring it`);
  }
  if (req.extensions?.type_url || req.extensions?.value?.length) {
    throw new FilterError(`invalid request: GetFlowsRequest.extensions ${JSON.stringify(req.extensions.type_url ?? '')} is not supported by netobs`);
  }
  const values = countValues(req.whitelist ?? []) + countValues(req.blacklist ?? []);
  if (values > MAX_FILTER_VALUES) throw new FilterError(`invalid request: ${values} filter values, more than the ${MAX_FILTER_VALUES} netobs accepts in one request`);
  const fieldMask = req.field_mask?.paths?.length ? req.field_mask.paths : (req.experimental?.field_mask?.paths ?? []);
  for (const p of fieldMask) checkFlowPath(p);
  return {
    fieldMask,
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

