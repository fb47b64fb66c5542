// IP/CIDR text <-> the datapath's 16-byte form.
import test from 'ava';
import { formatCidr, formatIp, parseCidr, parseIp } from '../../bpf/loader/addr.ts';

const roundTrip = test.macro({
  exec(t, text: string, expected?: string) {
    t.is(formatIp(parseIp(text).addr), expected ?? text);
  },
  title: (_given, text: string, _expected?: string) => `IP ${text} round-trips`,
});

test(roundTrip, '10.1.2.3');
test(roundTrip, '::1');
test(roundTrip, '::');
test(roundTrip, 'fd00::1:2');
test(roundTrip, '2001:db8::');
test(roundTrip, '1:2:3:4:5:6:7:8');
test(roundTrip, 'fe80::1:0:0:1');
test(roundTrip, '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1');
test(roundTrip, '::ffff:1.2.3.4', '1.2.3.4');

test('IPv4 is stored v4-mapped', (t) => {
  t.deepEqual([...parseIp('1.2.3.4').addr], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  t.is(parseIp('1.2.3.4').family, 4);
  t.is(parseIp('fd00::1').family, 6);
});

test('CIDRs: IPv4 prefix lengths move into the 128-bit space, host bits are cleared', (t) => {
  const c = parseCidr('10.1.2.3/8');
  t.is(c.prefixlen, 104);
  t.is(formatCidr(c.addr, c.prefixlen), '10.0.0.0/8');
  t.is(parseCidr('10.1.2.3').prefixlen, 128);
  const d = parseCidr('fd00:1:2::5/40');
  t.is(formatCidr(d.addr, d.prefixlen), 'fd00:1::/40');
});

for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/x', '300.1.1.1', 'fd00::g', '']) {
  test(`rejects ${JSON.stringify(bad)}`, (t) => {
    t.throws(() => parseCidr(bad));
  });
}
