// A grpc-js method definition from a protobuf codec, shared by the services netobs serves.
import type * as grpc from '@grpc/grpc-js';
import type { Codec } from './codec.ts';

const serialize = <T>(c: Codec<T>) => (value: T): Buffer => {
  const bytes = c.encode(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
const deserialize = <T>(c: Codec<T>) => (bytes: Buffer): T => c.decode(bytes);

export function grpcMethod<Req, Res>(
  service: string, name: string, req: Codec<Req>, res: Codec<Res>, responseStream: boolean,
): grpc.MethodDefinition<Req, Res> {
  return {
    path: `/${service}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: serialize(req),
    requestDeserialize: deserialize(req),
    responseSerialize: serialize(res),
    responseDeserialize: deserialize(res),
    originalName: name,
  };
}
