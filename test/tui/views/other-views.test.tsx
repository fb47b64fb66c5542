import test from 'ava';
import { KEY, renderUi } from '../harness.tsx';
import { ManualSource } from '../manual-source.ts';
import { allFlows, drop, forwarded } from '../fixtures.ts';
import type { EndpointInfo, MapInfo } from '../../../tui/model/types.ts';

const endpoints: EndpointInfo[] = [
  { node: 'node-1', id: 101, identity: 16092, labels: ['k8s:class=xwing', 'k8s:org=alliance'], ipv4: '10.0.1.15', ipv6: 'fd00::15', ingressEnforcement: false, egressEnforcement: false, status: 'ready', policyEntries: [] },
  { node: 'node-2', id: 103, identity: 16081, labels: ['k8s:class=deathstar', 'k8s:org=empire'], ipv4: '10.0.1.20', ingressEnforcement: true, egressEnforcement: false, status: 'ready',
    policyEntries: [{ direction: 'ingress', identity: 16093, port: 'TCP/80', verdict: 'allow', policy: 'default/rule1', packets: 42 }] },
  { node: 'node-1', id: 7, identity: 102, labels: ['k8s:k8s-app=kube-dns'], ipv4: '10.0.2.5', ingressEnforcement: false, egressEnforcement: true, status: 'waiting-for-identity' },
];
const maps: MapInfo[] = [
  { node: 'node-1', name: 'netobs_ipcache', type: 'lpm_trie', entries: 45, maxEntries: 512_000, pressure: 45 / 512_000 },
  { node: 'node-2', name: 'netobs_ct4', type: 'lru_hash', entries: 62_300, maxEntries: 65_536, pressure: 0.95 },
  { node: 'node-1', name: 'netobs_policy_00101', type: 'hash', entries: 3, maxEntries: 16_384, pressure: 3 / 16_384 },
];

function source(): ManualSource {
  const s = new ManualSource();
  s.endpoints = endpoints;
  s.maps = maps;
  return s;
}

const dataRows = (f: string, re: RegExp) => f.split('\n').filter((l) => re.test(l));

test('2 shows endpoints of both nodes; s sorts, r reverses, / filters', async (t) => {
  const { waitText, press, frame } = renderUi(t, { source: source() });
  await press('2');
  let f = await waitText('3 endpoints on 2 nodes');
  t.regex(f, /NODE +ENDPOINT IDENTITY ENF IPv4 +STATUS +LABELS/);
  t.deepEqual(dataRows(f, /^node-\d/).map((l) => l.split(/ +/)[1]), ['7', '101', '103']);
  t.regex(f, /node-2 +103 +16081 I-  10\.0\.1\.20 +ready +class=deathstar/);
  await press('s');
  f = await waitText('sort: id ↑');
  t.deepEqual(dataRows(f, /^node-\d/).map((l) => l.split(/ +/)[1]), ['7', '101', '103']);
  await press('r');
  f = await waitText('sort: id ↓');
  t.deepEqual(dataRows(f, /^node-\d/).map((l) => l.split(/ +/)[1]), ['103', '101', '7']);
  await press('/', 'empire', KEY.enter);
  f = await waitText('1 endpoints on 1 nodes');
  t.regex(frame(), /filter: empire/);
  t.is(dataRows(f, /^node-\d/).length, 1);
});

test('enter on an endpoint shows its policy entries and recent flows', async (t) => {
  const s = source();
  const { waitText, press } = renderUi(t, { source: s });
  s.push(...allFlows);
  await press('2');
  await waitText('3 endpoints');
  await press('j', 'j', KEY.enter);
  const f = await waitText('Endpoint 103 on node-2');
  t.regex(f, /Policy entries \(1\)/);
  t.regex(f, /ingress +16093 TCP\/80 +allow +42 default\/rule1/);
  t.regex(f, /Recent flows \(5\)/);
  t.regex(f, /Policy den… DROPPED/);
  await press(KEY.esc);
  await waitText('3 endpoints on 2 nodes');
});

test('wide terminals get the enforcement and IPv6 columns', async (t) => {
  const { waitText, press } = renderUi(t, { source: source(), columns: 200, rows: 50 });
  await press('2');
  const f = await waitText('3 endpoints');
  t.regex(f, /NODE +ENDPOINT IDENTITY INGRESS +EGRESS +IPv4 +IPv6 +STATUS +LABELS/);
  t.regex(f, /node-1 +101 +16092 Disabled +Disabled +10\.0\.1\.15 +fd00::15 +ready/);
});

test('3 shows maps with pressure bars; enter pages through entries with n and p', async (t) => {
  const s = source();
  const { waitText, press } = renderUi(t, { source: s });
  await press('3');
  let f = await waitText('3 maps, 1 above 90%');
  t.regex(f, /node-2 +netobs_ct4 +62\.3k\/65\.5k ██████████░  95%/);
  t.regex(f, /node-1 +netobs_ipcache +45\/512k ░░░░░░░░░░░   0%/);
  await press('G', KEY.enter);
  // Rows are sorted by node then name: the last one is node-2's conntrack table.
  f = await waitText('netobs_ct4 on node-2  entries 1-18 of 45  page 1/3');
  t.regex(f, /10\.0\.0\.0\/32 +identity=16000/);
  await press('n');
  f = await waitText('entries 19-36 of 45  page 2/3');
  t.regex(f, /10\.0\.0\.18\/32/);
  await press('n');
  await waitText('entries 37-45 of 45  page 3/3');
  await press('n'); // past the last page: it stays
  await waitText('entries 37-45 of 45  page 3/3');
  await press('p');
  await waitText('page 2/3');
  t.deepEqual(s.entryCalls.map((c) => c.offset).filter((o, i, a) => a.indexOf(o) === i), [0, 18, 36]);
  t.true(s.entryCalls.every((c) => c.node === 'node-2' && c.map === 'netobs_ct4' && c.limit === 18));
  await press(KEY.esc);
  await waitText('3 maps');
});

test('3 sorts maps by pressure', async (t) => {
  const { waitText, press } = renderUi(t, { source: source() });
  await press('3', 's', 's');
  const f = await waitText('3 maps, 1 above 90%  sort: pressure');
  t.deepEqual(dataRows(f, /^node-\d/).map((l) => l.split(/ +/)[1]), ['netobs_ct4', 'netobs_policy_00101', 'netobs_ipcache']);
});

test('4 shows allowed and denied counts per policy and per pair, then the latest denials', async (t) => {
  const s = source();
  const { waitText, press } = renderUi(t, { source: s });
  s.push(...allFlows, drop, drop);
  await press('4');
  let f = await waitText('[by policy]');
  t.regex(f, /POLICY +PORT +ALLOWED +DENIED/);
  t.regex(f, /default\/rule1 +TCP\/80 +1 +3/);
  await press(KEY.tab);
  f = await waitText('[by endpoint pair]');
  t.regex(f, /default\/xwing → default\/deathstar +TCP\/80 +0 +3/);
  t.regex(f, /default\/tiefighter → default\/deathstar +TCP\/80 +1 +0/);
  await press(KEY.enter);
  f = await waitText('default/xwing → default/deathstar: 0 allowed, 3 denied');
  t.regex(f, /Latest denials \(3 kept\)/);
  await press(KEY.esc, KEY.tab);
  f = await waitText('[latest denials]');
  t.is(dataRows(f, /DROPPED/).length, 3);
  await press(KEY.enter);
  await waitText('Denied flow');
});

test('endpoint and map failures show in the flash line and in the view', async (t) => {
  const s = source();
  s.endpoints = new Error('relay: connection refused');
  s.maps = new Error('relay: connection refused');
  const { waitText, press } = renderUi(t, { source: s });
  await press('2');
  await waitText('endpoints unavailable: relay: connection refused');
  await waitText('endpoints: relay: connection refused');
  await press('3');
  await waitText('maps unavailable: relay: connection refused');
  s.maps = maps;
  await waitText('3 maps', );
  t.pass();
});

test('status failures do not stop the flows', async (t) => {
  const s = source();
  s.status = new Error('deadline exceeded');
  const { waitText } = renderUi(t, { source: s });
  await waitText('status: deadline exceeded');
  s.push(forwarded);
  await waitText('FORWARDED');
  t.pass();
});
