import test from 'ava';
import { labelHash } from '../../../agent/identity/allocator.ts';
import { parsePrefix } from '../../../agent/identity/cidr.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';

const P = (s: string) => parsePrefix(s) ?? (() => { throw new Error(s); })();
const slot = (prefix: string) => 16777216 + (labelHash(prefix) % (1 << 24));

test('prefixes get identities from their hash, in the CIDR identity range', (t) => {
  const c = new CidrIdentities();
  c.sync(['192.168.0.0/16', '10.0.0.0/8', '2001:db8::/32', '10.0.0.0/8', '0.0.0.0/0']);
  t.deepEqual(c.all().map((x) => [x.prefix, x.identity]), [
    ['10.0.0.0/8', slot('10.0.0.0/8')],
    ['192.168.0.0/16', slot('192.168.0.0/16')],
    ['2001:db8::/32', slot('2001:db8::/32')],
  ]);
  for (const x of c.all()) t.true(x.identity >= 16777216 && x.identity < 33554432);
  t.is(c.identityOf('10.1.2.3/8'), slot('10.0.0.0/8'));
  t.is(c.prefixOf(slot('10.0.0.0/8')), '10.0.0.0/8');
  t.is(c.identityOf('0.0.0.0/0'), undefined);
});

test('the ids do not depend on the order prefixes arrived in', (t) => {
  const a = new CidrIdentities();
  const b = new CidrIdentities();
  a.sync(['1.0.0.0/8']);
  a.sync(['1.0.0.0/8', '2.0.0.0/8', '3.0.0.0/8']);
  b.sync(['3.0.0.0/8', '2.0.0.0/8', '1.0.0.0/8']);
  t.deepEqual(a.all(), b.all());
});

test('known prefixes keep their ids, released ones disappear', (t) => {
  const c = new CidrIdentities();
  c.sync(['1.0.0.0/8', '2.0.0.0/8', '3.0.0.0/8']);
  const before = c.identityOf('1.0.0.0/8');
  c.sync(['1.0.0.0/8', '4.0.0.0/8']);
  t.is(c.identityOf('1.0.0.0/8'), before);
  t.is(c.identityOf('2.0.0.0/8'), undefined);
  t.deepEqual(c.all().map((x) => x.prefix), ['1.0.0.0/8', '4.0.0.0/8']);
});

test('within: the prefixes inside a CIDR but not inside its excepts', (t) => {
  const c = new CidrIdentities();
  c.sync(['10.0.0.0/8', '10.96.0.0/12', '10.96.1.0/24', '10.200.0.0/16', '11.0.0.0/8']);
  const id = (s: string) => c.identityOf(s) as number;
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  t.deepEqual(c.within(P('10.0.0.0/8'), [P('10.96.0.0/12')]), sorted([id('10.0.0.0/8'), id('10.200.0.0/16')]));
  t.deepEqual(c.within(P('10.96.0.0/12')), sorted([id('10.96.0.0/12'), id('10.96.1.0/24')]));
});
