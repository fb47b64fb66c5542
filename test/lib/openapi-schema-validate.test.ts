import test from 'ava';
import { applyDefaults, structuralViolations, validateValue, type JSONSchemaProps } from '../../lib/openapi-schema/index.ts';

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

// What the lab's API server used to let through (issue 11): each is a rejection on a real server.
test('maxProperties', check, S({ type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 }), { a: 'x', b: 'y' }, ['f: Too many: 2: must have at most 1 items']);
test('minProperties', check, S({ type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 }), {}, ['f: Invalid value: 0: f in body should have at least 1 properties']);
test('ipv4 format', check, S({ type: 'string', format: 'ipv4' }), '10.0.0.300', ['f: Invalid value: "10.0.0.300": f in body must be of type ipv4: "10.0.0.300"']);
test('cidr format', check, S({ type: 'string', format: 'cidr' }), '10.0.0.0/33', ['f: Invalid value: "10.0.0.0/33": f in body must be of type cidr: "10.0.0.0/33"']);
test('unchecked formats pass', check, S({ type: 'string', format: 'password' }), 'x', []);
test('pattern', check, S({ type: 'string', pattern: '^[0-9]+$' }), '8o', ['f: Invalid value: "8o": f in body should match \'^[0-9]+$\'']);
test('enum', check, S({ type: 'string', enum: ['TCP', 'UDP'] }), 'tcp', ['f: Unsupported value: "tcp": supported values: "TCP", "UDP"']);
const either = S({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] });
test('oneOf: exactly one passes', check, either, { a: 'x' }, []);
test('oneOf: both pass', check, either, { a: 'x', b: 'y' }, ['f: Invalid value: "object": f in body must validate one and only one schema (oneOf)']);
test('oneOf: none passes', check, either, {}, ['f: Invalid value: "object": f in body must validate one and only one schema (oneOf)']);
test('anyOf: none passes', check, S({ type: 'object', properties: { a: { type: 'string' } }, anyOf: [{ required: ['a'] }] }), {}, ['f: Invalid value: "object": f in body must validate at least one schema (anyOf)']);
test('allOf', check, S({ type: 'integer', allOf: [{ minimum: 2 }] }), 1, ['f: Invalid value: 1: f in body should be greater than or equal to 2']);
test('minItems', check, S({ type: 'array', items: { type: 'string' }, minItems: 1 }), [], ['f: Invalid value: 0: f in body should have at least 1 items']);
test('uniqueItems', check, S({ type: 'array', items: { type: 'integer' }, uniqueItems: true }), [1, 1], ['f[1]: Duplicate value: 1']);
