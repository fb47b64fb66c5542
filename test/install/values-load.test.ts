import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultValues, imageRef } from '../../install/values.ts';
import { mergeValues, parseImageRef, readValuesFile, resolveValues } from '../../install/values-load.ts';

const base = { buildVersion: '1.2.3' };

test('defaults validate and match the brief', (t) => {
  const v = resolveValues(base);
  t.deepEqual(v, defaultValues('1.2.3'));
  t.is(v.namespace, 'netobs-system');
  t.is(v.agent.bpffsRoot, '/sys/fs/bpf/netobs');
  t.is(v.agent.flowRingSize, 4095);
  t.deepEqual(v.agent.httpPorts, [80, 8080]);
  t.true(v.relay.enabled && v.tls.enabled && v.dashboards.enabled);
  t.false(v.serviceMonitor.enabled);
  t.is(imageRef(v), 'netobs/netobs:1.2.3');
});

test('files merge in order, then --set, then --image and --version', (t) => {
  const v = resolveValues({
    ...base,
    files: [
      { name: 'a.yaml', content: { agent: { flowRingSize: 8191, httpPorts: [81] }, relay: { replicas: 3 } } },
      { name: 'b.yaml', content: { agent: { flowRingSize: 16383 }, image: { digest: 'sha256:' + 'a'.repeat(64) } } },
    ],
    sets: ['relay.replicas=2,agent.logLevel=debug', 'agent.httpPorts={80,8443}'],
    image: 'registry.local:5000/team/netobs:v9',
    version: '9.0.0',
  });
  t.is(v.agent.flowRingSize, 16383);
  t.deepEqual(v.agent.httpPorts, [80, 8443], 'lists replace, they do not merge');
  t.is(v.relay.replicas, 2);
  t.is(v.agent.logLevel, 'debug');
  t.is(v.agent.ports.health, 9879, 'untouched siblings keep their defaults');
  t.deepEqual(v.image, { repository: 'registry.local:5000/team/netobs', tag: 'v9', digest: '', pullPolicy: 'IfNotPresent' });
  t.is(v.version, '9.0.0');
  t.is(imageRef(v), 'registry.local:5000/team/netobs:v9');
});

test('--version alone sets the default image tag; a digest pins it', (t) => {
  const d = 'sha256:' + 'b'.repeat(64);
  const v = resolveValues({ ...base, version: '2.0.0', sets: [`image.digest=${d}`] });
  t.is(imageRef(v), `netobs/netobs:2.0.0@${d}`);
});

test('numbers given for strings become strings', (t) => {
  const v = resolveValues({ ...base, sets: ['agent.maxUnavailable=2', 'image.tag=7'] });
  t.is(v.agent.maxUnavailable, '2');
  t.is(v.image.tag, '7');
});

test('open maps accept any keys', (t) => {
  const v = resolveValues({ ...base, sets: ['agent.nodeSelector.disk\\.type/ssd=yes', 'serviceMonitor.labels.release=prom'] });
  t.is(v.agent.nodeSelector['disk.type/ssd'], 'yes');
  t.is(v.serviceMonitor.labels.release, 'prom');
});

test('parseImageRef', (t) => {
  t.deepEqual(parseImageRef('a/b:c'), { repository: 'a/b', tag: 'c', digest: '' });
  t.deepEqual(parseImageRef('host:5000/b'), { repository: 'host:5000/b', tag: '', digest: '' });
  t.deepEqual(parseImageRef('b@sha256:00'), { repository: 'b', tag: '', digest: 'sha256:00' });
});

test('mergeValues: null deletes, maps merge', (t) => {
  t.deepEqual(mergeValues({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: null, e: 3 }, d: [2] }), { a: { c: 2, e: 3 }, d: [2] });
});

const rejects = test.macro({
  exec(t, input: { sets?: string[]; files?: { name: string; content: unknown }[]; image?: string }, message: RegExp) {
    const err = t.throws(() => resolveValues({ ...base, ...input }), { message });
    t.false(err?.message.includes('\n'), 'one line');
  },
  title: (_, input, message) => `rejects ${JSON.stringify(input)} with ${message}`,
});

test(rejects, { sets: ['agent.flowRingSzie=1'] }, /^values: agent\.flowRingSzie: unknown key \(did you mean flowRingSize\?\)$/);
test(rejects, { sets: ['agent.flowRingSize=4096'] }, /^values: agent\.flowRingSize: 4096 is not a power of two minus one/);
test(rejects, { sets: ['agent.flowRingSize=abc'] }, /^values: agent\.flowRingSize: expected a number, got string "abc"$/);
test(rejects, { sets: ['agent.httpPorts[1]=70000'] }, /^values: agent\.httpPorts\[1\]: 70000 is not a port number/);
test(rejects, { sets: ['agent.httpPorts[3]=80'] }, /^values: agent\.httpPorts\[2\]: empty list item$/);
test(rejects, { sets: ['relay.enabled=yes'] }, /^values: relay\.enabled: expected a boolean, got string "yes"$/);
test(rejects, { sets: ['namespace=Bad_NS'] }, /^values: namespace: "Bad_NS" is not a valid namespace name$/);
test(rejects, { sets: ['agent.ports.metrics=9879'] }, /^values: agent\.ports\.metrics: 9879 is already used by agent\.ports\.health$/);
test(rejects, { sets: ['agent.metrics.handlers={dns,bogus}'] }, /^values: agent\.metrics\.handlers\[1\]: unknown handler "bogus"/);
test(rejects, { sets: ['agent.metrics.handlers[0]="flow:labelsContext=source_pod,src_ip"'] }, /handlers\[0\]: flow: unknown labelsContext "src_ip"/);
test(rejects, { sets: ['agent.metrics.handlers[0]="dns:exemplars=maybe"'] }, /dns: exemplars must be true or false/);
test(rejects, { sets: ['agent.metrics.handlers={dns,kafka}'] }, /^values: agent\.metrics\.handlers\[1\]: handler "kafka": netobs does not parse Kafka, so there are no Kafka flows to count; remove it$/);
test(rejects, { sets: ['agent.metrics.handlers={sctp}'] }, /^values: agent\.metrics\.handlers\[0\]: handler "sctp": netobs flows carry SCTP ports but not chunk types/);
test(rejects, { sets: ['agent.metrics.handlers={http,"httpV2:exemplars=true"}'] }, /^values: agent\.metrics\.handlers: metrics httpV2: conflicts with http \(both write hubble_http_requests_total\); keep one$/);
test(rejects, { sets: ['agent.metrics.handlers={flow,flow-to-world,flows-to-world}'] }, /^values: agent\.metrics\.handlers: metrics flows-to-world: configured twice \(as flow-to-world\)$/);
test(rejects, { sets: ['agent.exporter.enabled=true', 'agent.exporter.filePath=/etc/flows.log'] }, /^values: agent\.exporter: filePath: "\/etc\/flows\.log" must be a file under \/var\/run\/netobs\//);
test(rejects, { sets: ['agent.exporter.enabled=true', 'agent.exporter.allowList[0].verdict[0]=DROPED'] }, /^values: agent\.exporter: allowList\[0\]\.verdict\[0\]: "DROPED" is not a Verdict/);
test(rejects, { sets: ['agent.exporter.enabled=true', 'agent.exporter.fieldMask={time,source.pod}'] }, /^values: agent\.exporter: fieldMask: "source\.pod": Endpoint has no field "pod"$/);
test(rejects, { sets: ['agent.metrics.listenAddress=everywhere'] }, /^values: agent\.metrics\.listenAddress: "everywhere" is not an IP address/);
test(rejects, { sets: ['agent.resources.requests.cpu=lots'] }, /^values: agent\.resources\.requests\.cpu: "lots" is not a quantity/);
test(rejects, { sets: ['agent.tolerations[0].operator=Maybe'] }, /^values: agent\.tolerations\[0\]\.operator: "Maybe": use Exists or Equal$/);
test(rejects, { sets: ['agent.bpffsRoot=/tmp/x'] }, /^values: agent\.bpffsRoot: "\/tmp\/x" must be a directory under \/sys\/fs\/bpf\//);
test(rejects, { sets: ['image.digest=sha256:12'] }, /^values: image\.digest: "sha256:12" is not sha256:<64 hex>$/);
test(rejects, { sets: ['bogus'] }, /^--set bogus: key "bogus" has no value/);
test(rejects, { image: 'UPPER/case:x' }, /^values: image\.repository: "UPPER\/case"/);
test(rejects, { files: [{ name: 'v.yaml', content: ['a'] }] }, /^values file v\.yaml: expected a map at the top level$/);
test(rejects, { files: [{ name: 'v.yaml', content: { agent: { ports: 5 } } }] }, /^values: agent\.ports: expected a map, got number 5$/);

test('readValuesFile names the file in errors', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netobs-values-'));
  const good = path.join(dir, 'good.yaml');
  writeFileSync(good, 'relay:\n  replicas: 2\n');
  t.deepEqual(readValuesFile(good).content, { relay: { replicas: 2 } });
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, 'relay: [\n');
  t.throws(() => readValuesFile(bad), { message: new RegExp(`^values file ${bad}: `) });
  t.throws(() => readValuesFile(path.join(dir, 'missing.yaml')), { message: /missing\.yaml: ENOENT$/ });
});
