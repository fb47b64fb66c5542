import test from 'ava';
import type { ExplainDirection } from '../../../api/status/explain.ts';
import type { ExplainRequest } from '../../../tui/model/types.ts';
import { KEY, renderUi } from '../harness.tsx';
import { allFlows, drop, forwarded, icmp } from '../fixtures.ts';

const lines = (f: string) => f.split('\n');

test('shows the header, the columns and the flows newest first, within 80x24', async (t) => {
  const { source, waitText } = renderUi(t);
  await waitText('waiting for flows');
  source.push(forwarded, drop);
  const f = await waitText('DROPPED');
  t.regex(f, /netobs │ ctx kind-lab │ nodes 2 up 0 down │ flows\/s \d+ │ lost 0/);
  t.regex(f, / 1 Flows  2 Endpoints  3 Maps  4 Verdicts  5 Conns  6 Svc map +\?:help q:quit/);
  t.regex(f, /TIME +SOURCE +DESTINATION +TYPE +VERDICT +SUMMARY/);
  const rows = lines(f).filter((l) => /^\d\d:\d\d:\d\d /.test(l));
  t.is(rows.length, 2);
  t.regex(rows[0]!, /default\/xwing:\S* +default\/deaths\S* +Policy den… DROPPED/);
  t.regex(rows[1]!, /FORWARDED/);
  // Smaller than the terminal (Ink redraws the whole screen otherwise), never wider.
  t.is(lines(f).length, 23);
  t.true(lines(f).every((l) => l.length <= 80));
});

test('renders only the rows that fit', async (t) => {
  const { source, waitFor } = renderUi(t);
  for (let i = 0; i < 50; i++) source.push(...allFlows);
  const f = await waitFor((x) => x.includes('350 flows buffered'));
  t.is(lines(f).filter((l) => /^\d\d:\d\d:\d\d /.test(l)).length, 18);
  t.is(lines(f).length, 23);
});

test('/ filters with hubble observe flags, esc clears', async (t) => {
  const { source, waitText, press, frame } = renderUi(t);
  source.push(...allFlows);
  await waitText('ICMPv4');
  await press('/', '--verdict DROPPED --pod default/xwing');
  await waitText('/--verdict DROPPED --pod default/xwing█');
  await press(KEY.enter);
  const f = await waitText('filter: --verdict DROPPED --pod default/xwing');
  t.is(lines(f).filter((l) => /^\d\d:\d\d:\d\d /.test(l)).length, 1);
  t.regex(f, /Policy den… DROPPED/);
  t.notRegex(f, /FORWARDED/);
  source.push(forwarded, drop);
  await waitText('9 flows buffered');
  t.is(lines(frame()).filter((l) => /^\d\d:\d\d:\d\d /.test(l)).length, 2);
  await press(KEY.esc);
  await waitText('ICMPv4');
  t.notRegex(frame(), /filter:/);
});

test('a bad filter shows a flash and keeps the bar open', async (t) => {
  const { source, waitText, press, frame } = renderUi(t);
  source.push(...allFlows);
  await press('/', '--verdict NOPE', KEY.enter);
  await waitText('filter: --verdict "NOPE": unknown value');
  await press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, 'DROPPED');
  await waitText('/--verdict DROPPED█');
  await press(KEY.enter);
  await waitText('filter: --verdict DROPPED');
  t.notRegex(frame(), /FORWARDED/);
});

test('a plain word filters by name', async (t) => {
  const { source, waitText, press, frame } = renderUi(t);
  source.push(...allFlows);
  await press('/', 'cart', KEY.enter);
  await waitText('filter: cart');
  t.is(lines(frame()).filter((l) => /^\d\d:\d\d:\d\d /.test(l)).length, 1);
  t.regex(frame(), /shop\/cart-1/);
});

test('space pauses and resumes the stream', async (t) => {
  const { source, waitText, press, frame } = renderUi(t);
  source.push(forwarded);
  await waitText('1 flows buffered');
  await press(' ');
  await waitText('PAUSED (space)');
  source.push(icmp);
  await waitText('2 flows buffered');
  t.notRegex(frame(), /ICMPv4/, 'the paused list does not move');
  await press(' ');
  await waitText('ICMPv4');
  t.regex(frame(), /LIVE  2 flows buffered/);
});

test('enter shows every field of the selected flow, j moves and pauses, esc returns', async (t) => {
  const { source, waitText, press, frame } = renderUi(t, { rows: 40 });
  source.push(drop, forwarded);
  await waitText('DROPPED');
  await press('j');
  await waitText('PAUSED');
  await press(KEY.enter);
  const f = await waitText('Flow  esc: back');
  t.regex(f, /default\/xwing:49610 \(ID:16092\) ->\n +default\/deathstar-6f87496d59-abcde:80 \(ID:16081\) Policy denied DROPPED/);
  t.regex(f, /verdict +DROPPED/);
  t.regex(f, /drop_reason_desc +POLICY_DENIED \(Policy denied\)/);
  t.regex(f, /ingress_denied_by\[0\]\.name +rule1/);
  await press('G');
  await waitText(/traffic_direction|ingress_denied_by/);
  await press(KEY.esc);
  await waitText('TIME');
  t.notRegex(frame(), /drop_reason_desc/);
});

test('enter on a dropped flow shows why: the policy explanation from the source', async (t) => {
  const { source, waitText, press } = renderUi(t, { rows: 40, columns: 120 });
  const asked: ExplainRequest[] = [];
  source.explain = async (q) => {
    asked.push(q);
    const ing: ExplainDirection = {
      direction: 'ingress', node: 'node-1', endpointId: 103, endpoint: 'default/deathstar-6f87496d59-abcde', remoteIdentity: 16092, enforced: true,
      selectedBy: ['NetworkPolicy default/rule1'], verdict: 'DENIED', reason: 'no-allow', probes: [], rules: [],
      missing: 'no ingress allow for default/xwing (identity 16092) on 80/TCP: none of NetworkPolicy default/rule1 allows it; add a rule that does',
    };
    return { source: { input: q.src, identity: 16092, labels: [], pod: q.src }, destination: { input: q.dst, identity: 16081, labels: [], pod: q.dst }, protocol: q.protocol, port: q.port, verdict: 'DENIED', directions: [ing], unjudged: [], notEnforced: [] };
  };
  source.push(drop, forwarded);
  await waitText('DROPPED');
  await press('j');
  await waitText('PAUSED');
  await press(KEY.enter);
  const f = await waitText('default-deny: selected by NetworkPolicy default/rule1');
  t.deepEqual(asked, [{ src: 'default/xwing', dst: 'default/deathstar-6f87496d59-abcde', port: 80, protocol: 'TCP' }]);
  t.regex(f, /DENIED: default\/xwing/);
  t.regex(f, /missing: no ingress allow for default\/xwing/);
  t.regex(f, /verdict +DROPPED/, 'the fields follow');
  // A forwarded flow asks nothing.
  await press(KEY.esc, 'k', KEY.enter);
  await waitText(/verdict +FORWARDED/);
  t.is(asked.length, 1);
});

test('lost events and node status reach the header', async (t) => {
  const { source, waitText } = renderUi(t);
  await waitText('lost 0');
  source.lose({ source: 3, num_events_lost: 12 });
  await waitText('lost 12');
  source.nodeStatus({ state_change: 2, node_names: ['node-2'] });
  await waitText('nodes 2 up 1 down');
  t.pass();
});

test('a lost stream shows in the flash line and the UI goes on', async (t) => {
  const { source, waitText, press } = renderUi(t);
  source.push(forwarded);
  source.fail(new Error('connection to relay lost (retrying)'));
  await waitText('flows: connection to relay lost (retrying)');
  source.push(drop);
  await waitText('DROPPED');
  await press('2');
  await waitText('endpoints on');
  t.pass();
});

test('adapts to a larger terminal', async (t) => {
  const { source, waitText } = renderUi(t, { columns: 200, rows: 50 });
  source.push(drop);
  const f = await waitText('DROPPED');
  t.regex(f, /\d\d:\d\d:\d\d\.\d{3} default\/xwing:49610 +default\/deathstar-6f87496d59-abcde:80 +Policy denied +DROPPED +TCP Flags: SYN/);
  t.is(lines(f).length, 49);
  t.true(lines(f).every((l) => l.length <= 200));
});
