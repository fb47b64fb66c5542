// Kubernetes' protobuf encoding, decoded for the kinds kubectl's typed clients send as protobuf
// (`kubectl create namespace|configmap|secret|serviceaccount|token|role|rolebinding|…`, `kubectl auth can-i|whoami`). Field
// numbers follow k8s.io/api's generated.proto. Pure.
import { ApiError } from './errors.ts';

type Kind = 'string' | 'bytes' | 'int' | 'bool' | 'time' | Schema | { map: 'string' | 'bytes' } | { repeated: Kind };
interface Schema {
  [field: number]: [string, Kind];
}

const TIME: Kind = 'time';
const objectMeta: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int'],
  8: ['creationTimestamp', TIME],
  11: ['labels', { map: 'string' }],
  12: ['annotations', { map: 'string' }],
  14: ['finalizers', { repeated: 'string' }],
};
const localRef: Schema = { 1: ['name', 'string'] };
const resourceAttributes: Schema = { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'] };
const nonResourceAttributes: Schema = { 1: ['path', 'string'], 2: ['verb', 'string'] };

const policyRule: Schema = { 1: ['verbs', { repeated: 'string' }], 2: ['apiGroups', { repeated: 'string' }], 3: ['resources', { repeated: 'string' }], 4: ['resourceNames', { repeated: 'string' }], 5: ['nonResourceURLs', { repeated: 'string' }] };
const subject: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const roleRef: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };

export const PROTOBUF_KINDS: Record<string, Schema> = {
  Namespace: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['finalizers', { repeated: 'string' }] }] },
  ConfigMap: { 1: ['metadata', objectMeta], 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] },
  Secret: { 1: ['metadata', objectMeta], 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool'] },
  ServiceAccount: { 1: ['metadata', objectMeta], 3: ['imagePullSecrets', { repeated: localRef }], 4: ['automountServiceAccountToken', 'bool'] },
  SelfSubjectAccessReview: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes] }] },
  // `kubectl auth can-i --list`, `kubectl create token`, `kubectl auth whoami`.
  SelfSubjectRulesReview: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['namespace', 'string'] }] },
  TokenRequest: {
    1: ['metadata', objectMeta],
    2: ['spec', { 1: ['audiences', { repeated: 'string' }], 3: ['boundObjectRef', { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] }], 4: ['expirationSeconds', 'int'] }],
  },
  SelfSubjectReview: { 1: ['metadata', objectMeta] },
  Role: { 1: ['metadata', objectMeta], 2: ['rules', { repeated: policyRule }] },
  ClusterRole: { 1: ['metadata', objectMeta], 2: ['rules', { repeated: policyRule }] },
  RoleBinding: { 1: ['metadata', objectMeta], 2: ['subjects', { repeated: subject }], 3: ['roleRef', roleRef] },
  ClusterRoleBinding: { 1: ['metadata', objectMeta], 2: ['subjects', { repeated: subject }], 3: ['roleRef', roleRef] },
  TokenReview: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['token', 'string'], 2: ['audiences', { repeated: 'string' }] }] },
};

interface FieldValue {
  field: number;
  wire: number;
  num?: bigint;
  bytes?: Buffer;
}

function varint(buf: Buffer, off: number): [bigint, number] {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    if (off >= buf.length) throw new Error('truncated varint');
    const b = buf[off++]!;
    v |= BigInt(b & 0x7f) << shift;
    if (!(b & 0x80)) return [v, off];
    shift += 7n;
  }
}

export function readFields(buf: Buffer): FieldValue[] {
  const out: FieldValue[] = [];
  let off = 0;
  while (off < buf.length) {
    const [tag, o1] = varint(buf, off);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, o2] = varint(buf, o1);
      out.push({ field, wire, num: v });
      off = o2;
    } else if (wire === 2) {
      const [len, o2] = varint(buf, o1);
      out.push({ field, wire, bytes: buf.subarray(o2, o2 + Number(len)) });
      off = o2 + Number(len);
    } else if (wire === 1) {
      off = o1 + 8;
    } else if (wire === 5) {
      off = o1 + 4;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

function scalar(kind: Kind, f: FieldValue): unknown {
  if (kind === 'string') return f.bytes?.toString('utf8') ?? '';
  if (kind === 'bytes') return f.bytes?.toString('base64') ?? '';
  if (kind === 'int') return Number(f.num ?? 0n);
  if (kind === 'bool') return (f.num ?? 0n) !== 0n;
  if (kind === 'time') {
    const t = decodeMessage(f.bytes ?? Buffer.alloc(0), { 1: ['seconds', 'int'] }) as { seconds?: number };
    return new Date((t.seconds ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return decodeMessage(f.bytes ?? Buffer.alloc(0), kind as Schema);
}

export function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of readFields(buf)) {
    const def = schema[f.field];
    if (!def) continue;
    const [name, kind] = def;
    if (typeof kind === 'object' && 'map' in kind) {
      const entry = readFields(f.bytes ?? Buffer.alloc(0));
      const k = entry.find((e) => e.field === 1)?.bytes?.toString('utf8') ?? '';
      const v = entry.find((e) => e.field === 2);
      const m = (out[name] ??= {}) as Record<string, unknown>;
      m[k] = v ? scalar(kind.map, v) : '';
    } else if (typeof kind === 'object' && 'repeated' in kind) {
      ((out[name] ??= []) as unknown[]).push(scalar(kind.repeated as Kind, f));
    } else out[name] = scalar(kind, f);
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A `k8s\0` + runtime.Unknown request body → the JSON object it encodes. */
export function decodeK8sProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new ApiError(400, 'BadRequest', 'protobuf body without the k8s envelope');
  const unknown = decodeMessage(body.subarray(4), { 1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }], 2: ['raw', 'bytes'] }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: string };
  const kind = unknown.typeMeta?.kind ?? '';
  const schema = PROTOBUF_KINDS[kind];
  if (!schema) {
    throw new ApiError(415, 'UnsupportedMediaType', `the netobs lab decodes protobuf bodies only for ${Object.keys(PROTOBUF_KINDS).join(', ')}; send ${kind || 'this object'} as JSON or YAML (kubectl apply -f / create -f do)`);
  }
  const obj = decodeMessage(Buffer.from(unknown.raw ?? '', 'base64'), schema);
  return { apiVersion: unknown.typeMeta?.apiVersion, kind, ...obj, metadata: obj['metadata'] ?? {} };
}
