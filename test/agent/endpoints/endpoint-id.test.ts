import test from 'ava';
import { EndpointIds, endpointIdOf, MAX_ENDPOINT_ID } from '../../../agent/endpoints/endpoint-id.ts';

test('endpoint ids are stable per pod and in range', (t) => {
  const a = endpointIdOf('shop', 'web-1');
  t.is(endpointIdOf('shop', 'web-1'), a);
  t.not(endpointIdOf('shop', 'web-2'), a);
  for (let i = 0; i < 1000; i++) {
    const id = endpointIdOf('ns', `pod-${i}`);
    t.true(id >= 1 && id <= MAX_ENDPOINT_ID);
  }
});

test('a collision moves to the next free id; previous ids from pinned maps are kept', (t) => {
  const ids = new EndpointIds();
  const wanted = endpointIdOf('b', 'q');
  t.is(ids.assign('a', 'p', wanted), wanted, 'the pinned id wins over the hash');
  t.is(ids.assign('a', 'p'), wanted, 'known pod keeps its id');
  t.is(ids.assign('b', 'q', wanted), (wanted % MAX_ENDPOINT_ID) + 1, 'both its pinned and hashed id are taken');
  ids.release('a', 'p');
  t.is(ids.get('a', 'p'), undefined);
  t.is(ids.assign('c', 'r', wanted), wanted, 'released ids are free again');
  t.is(ids.assign('d', 's'), endpointIdOf('d', 's'));
});
