import test from 'ava';
import { KEY, renderUi } from '../harness.tsx';
import { ManualSource } from '../manual-source.ts';
import { allFlows } from '../fixtures.ts';

test('5 lists connections with golden signals; enter shows a row and its flows; / filters', async (t) => {
  const s = new ManualSource();
  const { waitText, press } = renderUi(t, { source: s, columns: 200, rows: 50 });
  s.push(...allFlows);
  await press('5');
  let f = await waitText('4 connections');
  t.regex(f, /SOURCE +DESTINATION +PORT +FLOWS\/S +FLOWS +DROPS +TOP DROP REASON +HTTP\/S +5XX +P50 +P99 +DNS ERR/);
  t.regex(f, /default\/tiefighter +default\/deathstar +TCP\/80 .* 100% +1\.5ms +1\.5ms/);
  t.regex(f, /default\/xwing +default\/deathstar +TCP\/80 .* Policy denied/);
  await press('/', 'coredns', KEY.enter);
  f = await waitText('filter: coredns');
  t.notRegex(f, /tiefighter/);
  await press(KEY.enter);
  f = await waitText('default/xwing → kube-system/coredns-5d78c9869d-x1 UDP/53');
  t.regex(f, /dns responses 1, errors 0/);
  t.regex(f, /Latest flows \(1 kept\)/);
  await press(KEY.esc);
  f = await waitText(/PORT +FLOWS\/S/);
  t.regex(f, /default\/xwing +kube-system\/coredns-5d78c9869d-x1 +UDP\/53/);
});

test('6 draws the service map per namespace; / narrows it to one', async (t) => {
  const s = new ManualSource();
  // Rates are of the last complete second of the store's clock: flows arrive in one, are shown in the next.
  let now = 5_000;
  const { waitText, press } = renderUi(t, { source: s, columns: 120, rows: 30, now: () => now });
  s.push(...allFlows);
  now = 6_000;
  await press('6');
  let f = await waitText('namespace shop');
  t.regex(f, /namespace default: 2 talking workloads, 3 edges, 1 dropping, 1 with errors/);
  t.regex(f, /├─✗ deathstar +TCP\/80 +1 flows\/s +1 drops \(Policy denied\)/);
  await press('/', 'shop', KEY.enter);
  f = await waitText('namespace: shop');
  t.notRegex(f, /namespace default/);
  t.regex(f, /cart-1/);
});

test('lost events and a full ring buffer warn in the header', async (t) => {
  const s = new ManualSource();
  s.maps = [{ node: 'node-2', name: 'netobs_events', type: 'ringbuf', entries: 0, maxEntries: 1 << 22, pressure: 0.93 }];
  const { waitText } = renderUi(t, { source: s, columns: 200, rows: 50 });
  await waitText('ring node-2 93% full');
  for (const l of s.listeners) l.lost({ num_events_lost: 40 });
  const f = await waitText('40 events lost in 10s');
  t.regex(f, /lost 40/);
});
