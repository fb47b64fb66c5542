import test from 'ava';
import { maskFlow } from '../../../api/filter/field-mask.ts';
import type { Flow } from '../../../api/types.ts';

const flow: Flow = {
  time: { seconds: 1, nanos: 2 }, verdict: 2,
  source: { namespace: 'a', pod_name: 'x', labels: ['k8s:app=x'] },
  l4: { TCP: { source_port: 1, destination_port: 80, flags: { SYN: true } } },
};

test('keeps only the masked paths', (t) => {
  t.deepEqual(maskFlow(flow, ['time', 'source.pod_name', 'l4.TCP.destination_port', 'destination.pod_name']), {
    time: { seconds: 1, nanos: 2 }, source: { pod_name: 'x' }, l4: { TCP: { destination_port: 80 } },
  });
  t.deepEqual(maskFlow(flow, ['source.namespace', 'source.labels']), { source: { namespace: 'a', labels: ['k8s:app=x'] } });
});

test('no mask keeps the flow; the original is untouched', (t) => {
  t.is(maskFlow(flow, []), flow);
  maskFlow(flow, ['verdict']);
  t.is(flow.source?.pod_name, 'x');
});
