// Field numbers a message carries that netobs's schema does not know. protobuf decoders skip
// them, which for a request is a silent change of meaning (a filter field netobs lacks would
// widen an allow list and empty a deny list), so the servers refuse a request that has any.
import protobuf from 'protobufjs';

/** Paths of unknown fields, e.g. `whitelist[0].41`; nested known messages are searched too. */
export function unknownFields(type: protobuf.Type, bytes: Uint8Array, path = ''): string[] {
  const r = protobuf.Reader.create(bytes);
  const out: string[] = [];
  const seen = new Map<number, number>();
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    const at = path ? `${path}.` : '';
    if (!field) {
      out.push(`${at}${id}`);
      r.skipType(wireType);
      continue;
    }
    if (wireType === 2 && field.resolvedType instanceof protobuf.Type) {
      const i = seen.get(id) ?? 0;
      seen.set(id, i + 1);
      out.push(...unknownFields(field.resolvedType, r.bytes(), `${at}${field.name}${field.repeated ? `[${i}]` : ''}`));
    } else {
      r.skipType(wireType);
    }
  }
  return out;
}
