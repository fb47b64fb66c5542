import test from 'ava';
import { applyDefaults, structuralViolations, validateValue, type JSONSchemaProps } from '../../../install/schema/index.ts';

const check = test.macro({
  exec(t, schema: JSONSchemaProps, value: unknown, expected: string[]) {
    t.deepEqual(
      validateValue(value, schema, 'f').map((e) => e.message),
      expected,
    );
  },
  title: (title) => title ?? '',
});

const S = (s: JSONSchemaProps) => s;
test('integer accepts integers', check, S({ type: 'integer' }), 3, []);
test('integer refuses 1.5', check, S({ type: 'integer' }), 1.5, ['f: Invalid value: "number": f in body must be of type integer: "number"']);
test('number accepts integers', check, S({ type: 'number' }), 3, []);
test('null refused unless nullable', check, S({ type: 'string' }), null, ['f: Invalid value: "null": f in body must be of type string: "null"']);
test('nullable accepts null', check, S({ type: 'string', nullable: true }), null, []);
test('int-or-string accepts both', check, S({ 'x-kubernetes-int-or-string': true }), 'x', []);
test('int-or-string refuses bool', check, S({ 'x-kubernetes-int-or-string': true }), true, ['f: Invalid value: true: f in body must be of type integer-or-string: "boolean"']);
test('maxLength counts characters', check, S({ type: 'string', maxLength: 2 }), 'äöü', ['f: Too long: may not be more than 2 bytes']);
test('ipv6 format', check, S({ type: 'string', format: 'cidr' }), 'fd00::/64', []);
test('date-time format', check, S({ type: 'string', format: 'date-time' }), '2025-13-01T00:00:00Z', [
  'f: Invalid value: "2025-13-01T00:00:00Z": f in body must be of type date-time: "2025-13-01T00:00:00Z"',
]);
test('set lists refuse duplicates', check, S({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' }), ['a', 'a'], ['f[1]: Duplicate value: "a"']);
test('maxItems', check, S({ type: 'array', items: { type: 'integer' }, maxItems: 1 }), [1, 2], ['f: Too many: 2: must have at most 1 items']);
test('exclusive minimum', check, S({ type: 'integer', minimum: 0, exclusiveMinimum: true }), 0, ['f: Invalid value: 0: f in body should be greater than 0']);
test('preserve-unknown-fields keeps anything', check, S({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), { a: { b: 1 } }, []);
test('additionalProperties schema checks values', check, S({ type: 'object', additionalProperties: { type: 'string' } }), { a: 1 }, [
  'f.a: Invalid value: "integer": f.a in body must be of type string: "integer"',
]);
test('not', check, S({ type: 'string', not: { enum: ['x'] } }), 'x', ['f: Invalid value: "x": f in body should not be valid against the schema (not)']);

test('unknown fields can be tolerated (Warn/Ignore field validation)', (t) => {
  const s: JSONSchemaProps = { type: 'object', properties: { a: { type: 'string' } } };
  t.is(validateValue({ b: 1 }, s).length, 1);
  t.deepEqual(validateValue({ b: 1 }, s, '', { unknownFields: false }), []);
});

test('structuralViolations finds what the API server refuses', (t) => {
  const bad: JSONSchemaProps = {
    type: 'object',
    properties: {
      a: { description: 'no type' },
      b: { type: 'array' },
      c: { type: 'string', anyOf: [{ type: 'string' }] },
    },
    required: ['d'],
  };
  t.deepEqual(structuralViolations(bad), [
    '<root>.properties[a].type: Required value: must not be empty for specified object fields',
    '<root>.properties[b].items: Required value: must be specified for arrays',
    '<root>.properties[c].anyOf[0].type: must not be set inside anyOf/oneOf/allOf/not',
    '<root>.required: "d" is not among the properties',
  ]);
});

test('applyDefaults fills nested defaults without touching the input', (t) => {
  const s: JSONSchemaProps = { type: 'object', properties: { l: { type: 'array', items: { type: 'object', properties: { p: { type: 'string', default: 'ANY' } } } } } };
  const input = { l: [{}, { p: 'TCP' }] };
  t.deepEqual(applyDefaults(input, s), { l: [{ p: 'ANY' }, { p: 'TCP' }] });
  t.deepEqual(input, { l: [{}, { p: 'TCP' }] });
});
