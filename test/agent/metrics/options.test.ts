import test from 'ava';
import { MetricsConfigError, parseMetricsConfig } from '../../../agent/metrics/options.ts';
import { FlowMetrics } from '../../../agent/metrics/flow-metrics.ts';

test('parses the seed\'s handler list with options and labelsContext', (t) => {
  const specs = parseMetricsConfig('dns drop tcp flow port-distribution icmp httpV2:exemplars=true;labelsContext=source_ip,source_namespace,source_workload,destination_ip,destination_namespace,destination_workload,traffic_direction');
  t.deepEqual(specs.map((s) => s.name), ['dns', 'drop', 'tcp', 'flow', 'port-distribution', 'icmp', 'httpV2']);
  t.deepEqual(specs[6], {
    name: 'httpV2', options: { exemplars: 'true' }, sourceContext: [], destinationContext: [],
    labelsContext: ['source_ip', 'source_namespace', 'source_workload', 'destination_ip', 'destination_namespace', 'destination_workload', 'traffic_direction'],
  });
});

test('a list, flags without values, and source/destination contexts with fallbacks', (t) => {
  const specs = parseMetricsConfig(['dns:query;ignoreAAAA', 'flow:sourceContext=workload|pod|ip;destinationContext=dns|ip']);
  t.deepEqual(specs[0]?.options, { query: '', ignoreAAAA: '' });
  t.deepEqual(specs[1]?.sourceContext, ['workload', 'pod', 'ip']);
  t.deepEqual(specs[1]?.destinationContext, ['dns', 'ip']);
});

const rejects = test.macro({
  exec(t, config: string, message: RegExp) {
    const err = t.throws(() => new FlowMetrics(config), { instanceOf: MetricsConfigError });
    t.regex(err?.message ?? '', message);
  },
  title: (_t, config) => `rejects ${config}`,
});

test(rejects, 'flows', /metrics flows: unknown handler \(one of flow, drop/);
test(rejects, 'flow:labelsContext=source_cluster', /unknown label "source_cluster"/);
test(rejects, 'flow:sourceContext=namespace|nodes', /unknown context "nodes"/);
test(rejects, 'drop:exemplars=true', /drop: unknown option "exemplars"/);
test(rejects, 'dns dns', /configured twice/);

test('the seed\'s flow-to-world spelling is accepted', (t) => {
  t.notThrows(() => new FlowMetrics('flow-to-world:labelsContext=source_namespace,source_app,destination_namespace,destination_app'));
});
