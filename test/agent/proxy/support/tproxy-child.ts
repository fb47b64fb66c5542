// Runs in the "node" netns of tproxy.test.ts: the HTTP policy proxy on a transparent listener,
// resolving each connection from its original addresses as the agent does. Prints "ready" and
// then one JSON line per record.
import { createServer } from 'node:net';
import { HttpPolicyProxy } from '../../../../agent/proxy/http-proxy.ts';
import { compileHttpRule } from '../../../../agent/proxy/http-rules.ts';
import { makeTransparent } from '../../../../agent/proxy/transparent.ts';

const port = Number(process.argv[2]);
const rules = [{ method: 'POST', path: '/v1/request-landing' }].map(compileHttpRule);
const proxy = new HttpPolicyProxy({
  resolve: (s) => ({ endpoint: `${s.localAddress}`, upstream: { host: s.localAddress!, port: s.localPort! }, allow: [{ policy: { kind: 'NetobsNetworkPolicy', namespace: 'default', name: 'rule1' }, rules }] }),
  onRecord: (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
});
const srv = createServer((s) => proxy.handle(s));
srv.listen(port, '0.0.0.0', () => {
  makeTransparent(srv);
  process.stdout.write('ready\n');
});
