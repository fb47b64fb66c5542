import test from 'ava';
import { localAddresses } from '../../../agent/endpoints/local-addresses.ts';

test('global addresses of every interface, without loopback and link-local', (t) => {
  const info = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 });
  t.deepEqual(
    localAddresses({
      lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true), info('10.201.1.1', 'IPv4', true)],
      eth0: [info('10.250.1.11', 'IPv4'), info('fe80::1', 'IPv6')],
      'lxc-gw': [info('fd00::1', 'IPv6')],
    } as never),
    ['10.201.1.1', '10.250.1.11', 'fd00::1'],
  );
});
