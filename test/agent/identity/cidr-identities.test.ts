import test from 'ava';
import { parsePrefix } from '../../../agent/identity/cidr.ts';
import { CidrIdentities } from '../../../agent/identity/cidr-identities.ts';

const P = (s: string) => parsePrefix(s) ?? (() => { throw new Error(s); })();

test('prefixes get identities from 16777216 in prefix order', (t) => {
  const c = new CidrIdentities();
  c.sync(['192.168.0.0/16', '10.0.0.0/8', '2001:db8::/32', '10.0.0.0/8', '0.0.0.0/0']);
  t.deepEqual(c.all().map((x) => [x.prefix, x.identity]), [
    ['10.0.0.0/8', 16777216],
    ['192.168.0.0/16', 16777217],
    ['2001:db8::/32', 16777218],
  ]);
  t.is(c.identityOf('10.1.2.3/8'), 16777216);
  t.is(c.identityOf('0.0.0.0/0'), undefined);
});

test('a restarted node syncing the same prefixes gets the same ids', (t) => {
  const a = new CidrIdentities();
  const b = new CidrIdentities();
  a.sync(['1.0.0.0/8', '2.0.0.0/8']);
  b.sync(['2.0.0.0/8', '1.0.0.0/8']);
  t.deepEqual(a.all(), b.all());
});

test('known prefixes keep their ids, released ids are reused', (t) => {
  const c = new CidrIdentities();
  c.sync(['1.0.0.0/8', '2.0.0.0/8', '3.0.0.0/8']);
  c.sync(['1.0.0.0/8', '3.0.0.0/8', '4.0.0.0/8']);
  t.deepEqual(c.all().map((x) => [x.prefix, x.identity]), [
    ['1.0.0.0/8', 16777216],
    ['3.0.0.0/8', 16777218],
    ['4.0.0.0/8', 16777217],
  ]);
});

test('within: the prefixes inside a CIDR but not inside its excepts', (t) => {
  const c = new CidrIdentities();
  c.sync(['10.0.0.0/8', '10.96.0.0/12', '10.96.1.0/24', '10.200.0.0/16', '11.0.0.0/8']);
  const id = (s: string) => c.identityOf(s) as number;
  t.deepEqual(c.within(P('10.0.0.0/8'), [P('10.96.0.0/12')]), [id('10.0.0.0/8'), id('10.200.0.0/16')]);
  t.deepEqual(c.within(P('10.96.0.0/12')), [id('10.96.0.0/12'), id('10.96.1.0/24')]);
});
