import test from 'ava';
import { containsPrefix, normalizePrefix, parsePrefix } from '../../../agent/identity/cidr.ts';

const normalizes = test.macro({
  exec(t, text: string, want: string | undefined) {
    t.is(normalizePrefix(text), want);
  },
  title: (given, text: string, want: string | undefined) => given ?? `${text} -> ${want ?? 'invalid'}`,
});

test(normalizes, '10.0.0.0/8', '10.0.0.0/8');
test(normalizes, '10.1.2.3/8', '10.0.0.0/8');
test(normalizes, '192.168.1.7', '192.168.1.7/32');
test(normalizes, '0.0.0.0/0', '0.0.0.0/0');
test(normalizes, '2001:db8::/32', '2001:db8::/32');
test(normalizes, '2001:0DB8:0:0:0:0:0:1', '2001:db8::1/128');
test(normalizes, '::/0', '::/0');
test(normalizes, '::ffff:10.0.0.1/128', '::ffff:a00:1/128');
test(normalizes, 'fe80:0:0:1:0:0:0:0/64', 'fe80:0:0:1::/64');
test(normalizes, '10.0.0.0/33', undefined);
test(normalizes, '10.0.0/8', undefined);
test(normalizes, '256.0.0.0/8', undefined);
test(normalizes, '010.0.0.0/8', undefined);
test(normalizes, '10.0.0.0/', undefined);
test(normalizes, '1::2::3/64', undefined);
test(normalizes, '1:2:3:4:5:6:7:8:9/64', undefined);
test(normalizes, 'example.com/24', undefined);

const contains = test.macro({
  exec(t, outer: string, inner: string, want: boolean) {
    const o = parsePrefix(outer);
    const i = parsePrefix(inner);
    if (!o || !i) return t.fail('bad test prefix');
    t.is(containsPrefix(o, i), want);
  },
  title: (given, outer: string, inner: string, want: boolean) => given ?? `${outer} ${want ? 'contains' : 'does not contain'} ${inner}`,
});

test(contains, '10.0.0.0/8', '10.96.0.0/12', true);
test(contains, '10.0.0.0/8', '10.0.0.0/8', true);
test(contains, '10.96.0.0/12', '10.0.0.0/8', false);
test(contains, '10.0.0.0/8', '11.0.0.0/16', false);
test(contains, '0.0.0.0/0', '1.2.3.4/32', true);
test(contains, '0.0.0.0/0', '::1/128', false);
test(contains, '2001:db8::/32', '2001:db8:1::/48', true);
