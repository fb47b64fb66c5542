// Install accepts exactly the metrics handler specs the agent accepts: both read
// api/metrics-grammar.ts, and this test tries every handler with every option on both sides.
import test from 'ava';
import { BOOLEAN_OPTIONS, CONTEXT_OPTIONS, METRICS_HANDLER_ALIASES, METRICS_HANDLER_NAMES, METRICS_HANDLER_OPTIONS } from '../../api/metrics-grammar.ts';
import { checkMetricsHandler } from '../../install/metrics-handlers.ts';
import { FlowMetrics } from '../../agent/metrics/flow-metrics.ts';

const agentAccepts = (spec: string): boolean => {
  try {
    new FlowMetrics(spec);
    return true;
  } catch {
    return false;
  }
};
const installAccepts = (spec: string): boolean => checkMetricsHandler(spec) === undefined;

const names = [...METRICS_HANDLER_NAMES, ...Object.keys(METRICS_HANDLER_ALIASES), 'http', 'flows', 'bogus'];
const options = [...new Set([...Object.values(METRICS_HANDLER_OPTIONS).flat(), ...BOOLEAN_OPTIONS, 'bogus'])];
const value = (opt: string): string => (opt === 'port' ? '53' : 'true');

test('every handler with every option: install accepts a spec exactly when the agent does', (t) => {
  const specs = names.flatMap((n) => [n, ...options.map((o) => `${n}:${o}=${value(o)}`), `${n}:${CONTEXT_OPTIONS[0]}=source_ip`]);
  let accepted = 0;
  for (const spec of specs) {
    const agent = agentAccepts(spec);
    t.is(installAccepts(spec), agent, spec);
    if (agent) accepted++;
  }
  // Each handler alone, its own options and its labelsContext; the http handler is not one of them.
  t.true(accepted >= METRICS_HANDLER_NAMES.length * 2);
  t.false(installAccepts('http'));
  t.false(installAccepts('drop:exemplars=true'));
  t.true(installAccepts('httpV2:exemplars=true;labelsContext=source_ip,destination_ip'));
});
