import test from 'ava';
// The flags themselves are tested with agent/flow; these check the bar's use of them.
import { compileFilter, tokenize } from '../../../tui/model/flow-filter.ts';
import type { Flow } from '../../../api/types.ts';
import { allFlows, allowedVerdict, dns, drop, forwarded, http, httpResponse, icmp } from '../fixtures.ts';

const selects = test.macro({
  exec(t, text: string, expected: Flow[]) {
    const f = compileFilter(text);
    t.deepEqual(allFlows.filter(f.match), expected);
  },
  title: (title, text: string) => title ?? `"${text}"`,
});

test(selects, '', allFlows);
test(selects, '--verdict DROPPED', [drop]);
test(selects, '--verdict dropped --pod default/xwing', [drop]);
test(selects, '--verdict FORWARDED --verdict DROPPED --from-pod default/xwing', [drop]);
test(selects, '--from-pod default/tiefighter', [forwarded, allowedVerdict, http]);
test(selects, '--to-pod tiefighter', [httpResponse]);
test(selects, '--pod kube-system/', [dns]);
test(selects, '-n kube-system --pod coredns', [dns]);
test(selects, '--pod /cart', [icmp]);
test(selects, '--not --verdict FORWARDED', [drop]);
test(selects, '--ip 10.0.2.0/24', [dns, icmp]);
test(selects, '--to-ip 8.8.8.8', [icmp]);
test(selects, '--fqdn dns.google', [icmp]);
test(selects, '--fqdn *.google', [icmp]);
test(selects, '--label org=alliance', [drop, dns]);
test(selects, '--from-label k8s:org=empire --to-label class=deathstar', [forwarded, allowedVerdict, http]);
test(selects, '--port 53', [dns]);
test(selects, '--protocol icmp', [icmp]);
test(selects, '--protocol http', [http, httpResponse]);
test(selects, '--protocol dns', [dns]);
test(selects, '-t drop', [drop]);
test(selects, '-t policy-verdict', [allowedVerdict]);
test(selects, '-t trace:to-network', [icmp]);
test(selects, '-t l7', [dns, http, httpResponse]);
test(selects, '--drop-reason-desc POLICY_DENIED', [drop]);
test(selects, '--http-status 5+', [httpResponse]);
test(selects, '--http-method post', [http]);
test(selects, '--http-path /v1/exhaust.*', [httpResponse]);
test(selects, '--identity 16092', [drop, dns]);
test(selects, '--to-identity world', [icmp]);
test(selects, '--traffic-direction egress', [icmp]);
test(selects, '--node-name node-2', [dns, icmp]);
test(selects, '--node-name node-*', allFlows);
test(selects, '--tcp-flags SYN,ACK', [forwarded, allowedVerdict]);
test(selects, '--workload Deployment/deathstar', [drop, forwarded, allowedVerdict, http, httpResponse]);
test(selects, '--to-service default/deathstar', [http]);
test('a bare word matches pod names, IPs and DNS names', selects, 'cart', [icmp]);
test('--flag=value form', selects, '--verdict=DROPPED', [drop]);

const rejects = test.macro({
  exec(t, text: string, message: RegExp) {
    t.throws(() => compileFilter(text), { message });
  },
  title: (title, text: string) => `rejects "${text}"`,
});
test(rejects, '--bogus x', /unknown filter flag --bogus/);
test(rejects, '--verdict', /--verdict needs a value/);
test(rejects, '--verdict MAYBE', /^--verdict "MAYBE": unknown value \(one of VERDICT_UNKNOWN, FORWARDED/);
test(rejects, '--not', /--not must be followed by a filter flag/);
test(rejects, '--ip 10.0.0.0/33', /bad prefix length/);
test(rejects, '--http-status 4x', /must be a status code/);
test(rejects, '-t nope', /--type "nope": unknown event type/);
test(rejects, '--identity martian', /--identity "martian": not a number or reserved identity name/);

test('tokenize honours quotes', (t) => {
  t.deepEqual(tokenize(`--http-path "/a b" --pod 'x/y'  z`), ['--http-path', '/a b', '--pod', 'x/y', 'z']);
});
