// The FlowFilter and GetFlowsRequest fields added to match upstream: each is applied with
// Hubble's meaning or the request is refused naming it; a field netobs does not know at all is
// refused from the wire bytes, never decoded away.
import test from 'ava';
import protobuf from 'protobufjs';
import { compileFilter, FilterError } from '../../../api/filter/filter.ts';
import { compileRequest, MAX_FILTER_VALUES } from '../../../api/filter/request.ts';
import { getFlowsRequestCodec } from '../../../api/codec.ts';
import type { Flow, FlowFilter } from '../../../api/types.ts';

const a: Flow = {
  uuid: 'b6c2-1', IP: { source: '10.0.1.5', destination: '10.0.2.7', source_xlated: '192.168.1.1', encrypted: true },
  source: { cluster_name: 'east', pod_name: 'x' }, destination: { cluster_name: 'west' },
  l7: { http: { code: 200, method: 'GET', url: 'http://a/b', headers: [{ key: 'x-user', value: 'alice' }, { key: 'traceparent', value: '00-abc-01' }] } },
  trace_context: { parent: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' } },
};
const b: Flow = { uuid: 'b6c2-2', IP: { source: '10.0.1.6', destination: '10.0.2.7' }, source: { pod_name: 'y' } };
const flows = { a, b };
type Name = keyof typeof flows;

const selects = test.macro({
  exec(t, filter: FlowFilter, expected: Name[]) {
    const p = compileFilter(filter);
    t.deepEqual((Object.keys(flows) as Name[]).filter((n) => p(flows[n])), expected);
  },
  title: (title, filter) => title ?? JSON.stringify(filter),
});

test(selects, { uuid: ['b6c2-2'] }, ['b']);
test(selects, { uuid: ['b6c2'] }, []);
test(selects, { source_ip_xlated: ['192.168.0.0/16'] }, ['a']);
test(selects, { source_cluster_name: ['east'] }, ['a']);
test(selects, { destination_cluster_name: ['east'] }, []);
test(selects, { http_header: [{ key: 'x-user', value: 'alice' }] }, ['a']);
test(selects, { http_header: [{ key: 'x-user', value: 'bob' }] }, []);
test(selects, { trace_id: ['4bf92f3577b34da6a3ce929d0e0e4736'] }, ['a']);
test(selects, { ip_trace_id: [7] }, []);
test(selects, { encrypted: [true] }, ['a']);
test(selects, { encrypted: [false] }, ['b']);

test('a CEL expression is refused, naming the field', (t) => {
  const err = t.throws(() => compileFilter({ experimental: { cel_expression: ['_flow.verdict == 1'] } }), { instanceOf: FilterError });
  t.regex(err?.message ?? '', /experimental\.cel_expression/);
});

test('an http_header filter without a key is refused', (t) => {
  t.throws(() => compileFilter({ http_header: [{ value: 'x' }] }), { message: /http_header/ });
});

// Field numbers as upstream encodes them: FlowFilter whitelist=6, uuid=29, http_header=32 {key=1,value=2}.
function wire(build: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
}

test('upstream-encoded http_header and uuid decode into the filter', (t) => {
  const filter = wire((w) => {
    w.uint32((29 << 3) | 2).string('u-1');
    w.uint32((32 << 3) | 2).fork().uint32((1 << 3) | 2).string('x-user').uint32((2 << 3) | 2).string('alice').ldelim();
  });
  const req = getFlowsRequestCodec.decode(wire((w) => w.uint32((6 << 3) | 2).bytes(filter)));
  t.deepEqual(req.whitelist, [{ uuid: ['u-1'], http_header: [{ key: 'x-user', value: 'alice' }] }]);
  t.is(req.unknown_fields, undefined);
});

test('a filter field netobs does not know is refused, not dropped', (t) => {
  const filter = wire((w) => w.uint32((77 << 3) | 2).string('something'));
  const req = getFlowsRequestCodec.decode(wire((w) => w.uint32((5 << 3) | 2).bytes(filter)));
  t.deepEqual(req.unknown_fields, ['blacklist[0].77']);
  t.throws(() => compileRequest(req), { instanceOf: FilterError, message: /blacklist\[0\]\.77/ });
});

test('the experimental field mask of older clients is honoured and checked', (t) => {
  t.deepEqual(compileRequest({ experimental: { field_mask: { paths: ['time', 'source.pod_name'] } } }).fieldMask, ['time', 'source.pod_name']);
  t.throws(() => compileRequest({ field_mask: { paths: ['source.nope'] } }), { message: /source\.nope/ });
});

test('extensions are refused', (t) => {
  t.throws(() => compileRequest({ extensions: { type_url: 'type.example/x', value: new Uint8Array([1]) } }), { message: /extensions/ });
});

test('a request with too many filter values is refused', (t) => {
  const many = Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => `10.0.0.${i % 250}`);
  t.throws(() => compileRequest({ whitelist: [{ source_ip: many }] }), { message: /filter values/ });
});
