import test from 'ava';
import {
  compactLine, destinationText, sourceText, summaryText, timeText, typeText, verdictText,
} from '../../../tui/render/flow-text.ts';
import type { Flow } from '../../../api/types.ts';
import { allowedVerdict, dns, drop, forwarded, http, httpResponse, icmp } from '../fixtures.ts';

const texts = test.macro({
  exec(t, f: Flow, expected: [string, string, string, string, string]) {
    t.deepEqual([sourceText(f), destinationText(f), typeText(f), verdictText(f), summaryText(f)], expected);
  },
  title: (title) => `texts of ${title}`,
});

test('a policy drop', texts, drop, ['default/xwing:49610', 'default/deathstar-6f87496d59-abcde:80', 'Policy denied', 'DROPPED', 'TCP Flags: SYN']);
test('a trace', texts, forwarded, ['default/tiefighter:51000', 'default/deathstar-6f87496d59-abcde:80', 'to-endpoint', 'FORWARDED', 'TCP Flags: SYN, ACK']);
test('a policy verdict (ALLOWED, as hubble says)', texts, allowedVerdict, ['default/tiefighter:51000', 'default/deathstar-6f87496d59-abcde:80', 'policy-verdict:L3-L4 INGRESS', 'ALLOWED', 'TCP Flags: SYN, ACK']);
test('a DNS response', texts, dns, ['kube-system/coredns-5d78c9869d-x1:53', 'default/xwing:40000', 'dns-response', 'FORWARDED', 'DNS Answer "10.96.0.10" TTL: 30 (Query deathstar.default.svc.cluster.local. A)']);
test('an HTTP request', texts, http, ['default/tiefighter:51000', 'default/deathstar-6f87496d59-abcde:80', 'http-request', 'FORWARDED', 'HTTP/1.1 POST http://deathstar.default.svc.cluster.local/v1/request-landing']);
test('an HTTP response', texts, httpResponse, ['default/deathstar-6f87496d59-abcde:80', 'default/tiefighter:51000', 'http-response', 'FORWARDED', 'HTTP/1.1 503 1ms (PUT http://deathstar.default.svc.cluster.local/v1/exhaust-port)']);
test('ICMP to the world by name', texts, icmp, ['shop/cart-1', 'dns.google', 'to-network', 'FORWARDED', 'ICMPv4 EchoRequest']);

test('time is HH:MM:SS.mmm', (t) => {
  t.is(timeText(drop, { utc: true }), '22:13:54.567');
  t.is(timeText({}), '');
});

// The printer itself is tested in test/api/print; this checks the UI asks it for node and UTC.
test('compact line as hubble prints it', (t) => {
  t.is(compactLine(drop, { utc: true }),
    'Nov 14 22:13:54.567 [node-1]: default/xwing:49610 (ID:16092) -> default/deathstar-6f87496d59-abcde:80 (ID:16081) Policy denied DROPPED (TCP Flags: SYN)');
  t.regex(compactLine(icmp, { utc: true }), /shop\/cart-1 \(ID:16100\) <> dns\.google \(world\) to-network FORWARDED/);
});

test('an IPv6 address with a port is bracketed', (t) => {
  t.is(sourceText({ IP: { source: 'fd00::1' }, l4: { TCP: { source_port: 443 } } }), '[fd00::1]:443');
});
