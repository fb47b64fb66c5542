import test from 'ava';
import { prune } from '../../lib/openapi-schema/prune.ts';
import type { JSONSchemaProps } from '../../lib/openapi-schema/types.ts';

const pruned = test.macro({
  exec(t, schema: JSONSchemaProps, value: unknown, kept: unknown, paths: string[]) {
    const v = structuredClone(value);
    t.deepEqual(prune(v, schema), paths);
    t.deepEqual(v, kept);
  },
  title: (title) => title ?? '',
});

const spec = (props: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: props, ...extra } },
});

test('unknown field of spec is dropped', pruned, spec({ a: { type: 'string' } }), { spec: { a: 'x', fromEndpoint: [] } }, { spec: { a: 'x' } }, ['spec.fromEndpoint']);
test('unknown top-level field is dropped', pruned, spec({}), { spec: {}, extra: 1 }, { spec: {} }, ['extra']);
test('apiVersion, kind and metadata stay at the root', pruned, spec({}), { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' } }, { apiVersion: 'g/v1', kind: 'K', metadata: { name: 'n' } }, []);
test('metadata is cut to ObjectMeta', pruned, spec({}), { metadata: { name: 'n', labels: { a: 'b' }, nme: 'x' } }, { metadata: { name: 'n', labels: { a: 'b' } } }, ['metadata.nme']);
test('fields in array items', pruned, spec({ l: { type: 'array', items: { type: 'object', properties: { p: { type: 'integer' } } } } }), { spec: { l: [{ p: 1 }, { p: 2, q: 3 }] } }, { spec: { l: [{ p: 1 }, { p: 2 }] } }, ['spec.l[1].q']);
test('preserve-unknown-fields keeps unknown fields', pruned, spec({}, { 'x-kubernetes-preserve-unknown-fields': true }), { spec: { z: { y: 1 } } }, { spec: { z: { y: 1 } } }, []);
test('preserve-unknown-fields still prunes inside declared fields', pruned, spec({ a: { type: 'object', properties: {} } }, { 'x-kubernetes-preserve-unknown-fields': true }), { spec: { z: 1, a: { q: 1 } } }, { spec: { z: 1, a: {} } }, ['spec.a.q']);
test('additionalProperties schema applies to every value', pruned, spec({ m: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } } }), { spec: { m: { k1: { v: 'a', w: 'b' } } } }, { spec: { m: { k1: { v: 'a' } } } }, ['spec.m.k1.w']);
test('additionalProperties: true keeps values', pruned, spec({ m: { type: 'object', additionalProperties: true } }), { spec: { m: { k: 1 } } }, { spec: { m: { k: 1 } } }, []);
test('embedded resource keeps apiVersion and kind, prunes its metadata and body', pruned,
  spec({ t: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: {} } } } }),
  { spec: { t: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { x: 1 }, other: 2 } } },
  { spec: { t: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } } },
  ['spec.t.metadata.bogus', 'spec.t.spec.x', 'spec.t.other']);
test('int-or-string values are left alone', pruned, spec({ p: { 'x-kubernetes-int-or-string': true } }), { spec: { p: 80 } }, { spec: { p: 80 } }, []);
test('status is pruned like spec', pruned, { type: 'object', properties: { status: { type: 'object', properties: { ok: { type: 'boolean' } } } } }, { status: { ok: true, nope: 1 } }, { status: { ok: true } }, ['status.nope']);
