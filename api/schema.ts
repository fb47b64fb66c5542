// Loads the flow API definitions into a protobufjs Root on first use (never at import time) and
// hands out the reflected message types by name.
import protobuf from 'protobufjs';
import { FLOW_PROTO } from './proto/flow.ts';
import { OBSERVER_PROTO, RELAY_PROTO } from './proto/observer.ts';
import { HEALTH_PROTO, PEER_PROTO } from './proto/health.ts';

let root: protobuf.Root | undefined;

const WELL_KNOWN = ['google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto', 'google/protobuf/field_mask.proto', 'google/protobuf/any.proto'];

/** The Root holding flow.*, relay.*, observer.*, grpc.health.v1.*, peer.* and the google.protobuf types they use. */
export function schemaRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  for (const file of WELL_KNOWN) {
    const json = protobuf.common.get(file);
    if (!json) throw new Error(`protobufjs: missing bundled definition ${file}`);
    r.addJSON((json as { nested: Record<string, protobuf.AnyNestedObject> }).nested);
  }
  // keepCase: the wire JSON, hubble's tools and our TypeScript types all use the proto names.
  for (const src of [FLOW_PROTO, RELAY_PROTO, OBSERVER_PROTO, HEALTH_PROTO, PEER_PROTO]) protobuf.parse(src, r, { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

/** A reflected message type, e.g. `messageType('flow.Flow')`. */
export function messageType(name: string): protobuf.Type {
  return schemaRoot().lookupType(name);
}

/** A reflected enum, e.g. `enumType('flow.Verdict')`. */
export function enumType(name: string): protobuf.Enum {
  return schemaRoot().lookupEnum(name);
}
