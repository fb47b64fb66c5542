// Veth discovery from iproute2 JSON, with the commands answered from fixtures captured on a
// real host (iproute2 6.1).
import test from 'ava';
import { VethDiscovery, type Runner } from '../../../agent/endpoints/discover.ts';
import { parseFdbPort, parseLinks, parseNeighbour, parseRouteGet } from '../../../agent/endpoints/iproute.ts';

const VETH = '[{"ifindex":47,"link_index":46,"ifname":"cali1234","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"address":"42:18:c8:41:30:20","link_netnsid":0,"linkinfo":{"info_kind":"veth"}}]';
const BRIDGE = '[{"ifindex":48,"ifname":"cni0","flags":["BROADCAST","MULTICAST","UP"],"address":"a2:d8:84:9c:b0:c0","linkinfo":{"info_kind":"bridge"}}]';
const PORT = '[{"ifindex":52,"link_index":2,"ifname":"veth9a8b","flags":["UP"],"master":"cni0","link_netnsid":1,"linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}}]';
const FDB = '[{"mac":"33:33:00:00:00:01","ifname":"cni0","flags":["self"],"state":"permanent"},{"mac":"0a:58:0a:f4:00:05","ifname":"veth9a8b","master":"cni0","state":""},{"mac":"a2:d8:84:9c:b0:c0","ifname":"cni0","master":"cni0","state":"permanent"}]';

test('iproute2 JSON readers', (t) => {
  t.like(parseLinks(VETH)[0], { ifindex: 47, ifname: 'cali1234', kind: 'veth', linkIndex: 46, linkNetnsid: 0, up: true });
  const addr = parseLinks('[{"ifindex":46,"link_index":47,"ifname":"eth0","flags":["UP"],"link_netnsid":0,"addr_info":[{"family":"inet","local":"10.99.0.2","prefixlen":32}]}]');
  t.deepEqual(addr[0]?.addresses, ['10.99.0.2']);
  t.deepEqual(parseRouteGet('[{"dst":"10.99.0.2","dev":"cali1234","prefsrc":"192.0.2.2","flags":[],"uid":0,"cache":[]}]'), { dev: 'cali1234' });
  t.deepEqual(parseRouteGet('[{"dst":"8.8.8.8","gateway":"192.0.2.1","dev":"eth0"}]'), { dev: 'eth0', gateway: '192.0.2.1' });
  t.is(parseRouteGet(''), undefined);
  t.is(parseNeighbour('[{"dst":"10.244.0.5","dev":"cni0","lladdr":"0a:58:0a:f4:00:05","state":["REACHABLE"]}]', '10.244.0.5'), '0a:58:0a:f4:00:05');
  t.is(parseNeighbour('[{"dst":"10.244.0.5","dev":"cni0","state":["FAILED"]}]', '10.244.0.5'), undefined);
  t.is(parseFdbPort(FDB, '0A:58:0A:F4:00:05', 'cni0'), 'veth9a8b');
  t.is(parseFdbPort(FDB, 'a2:d8:84:9c:b0:c0', 'cni0'), undefined, "the bridge's own address is no port");
});

function runner(answers: Record<string, string>): Runner {
  return async (file, args) => {
    const k = `${file} ${args.join(' ')}`;
    if (k in answers) return answers[k] as string;
    throw new Error(`unexpected command ${k}`);
  };
}

test('a pod routed straight to a veth is found through the route', async (t) => {
  const d = new VethDiscovery({ netnsDirs: [], run: runner({
    'ip -j route get 10.99.0.2': '[{"dst":"10.99.0.2","dev":"cali1234"}]',
    'ip -j -d link show dev cali1234': VETH,
  }) });
  t.deepEqual(await d.find('10.99.0.2'), { ifindex: 47, ifname: 'cali1234', via: 'route' });
});

test('a pod behind a bridge is found through its neighbour entry and the forwarding table', async (t) => {
  const d = new VethDiscovery({ netnsDirs: [], run: runner({
    'ip -j route get 10.244.0.5': '[{"dst":"10.244.0.5","dev":"cni0","prefsrc":"10.244.0.1"}]',
    'ip -j -d link show dev cni0': BRIDGE,
    'ip -j neigh show 10.244.0.5 dev cni0': '[{"dst":"10.244.0.5","dev":"cni0","lladdr":"0a:58:0a:f4:00:05","state":["REACHABLE"]}]',
    'bridge -j fdb show br cni0': FDB,
    'ip -j -d link show dev veth9a8b': PORT,
  }) });
  t.deepEqual(await d.find('10.244.0.5'), { ifindex: 52, ifname: 'veth9a8b', via: 'bridge' });
});

test('a route through a gateway (another node) is not a local pod', async (t) => {
  const d = new VethDiscovery({ netnsDirs: [], run: runner({ 'ip -j route get 10.1.2.3': '[{"dst":"10.1.2.3","gateway":"192.0.2.1","dev":"eth0"}]' }) });
  t.is(await d.find('10.1.2.3'), undefined);
});
