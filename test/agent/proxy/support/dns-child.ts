// Runs in the "node" netns of dns-tproxy.test.ts: the agent's DNS proxy runtime on its
// transparent listener, with the datapath's record of original destinations stood in by the
// one server of the test. Prints "ready" and then one JSON line per record.
import { DnsProxyRuntime } from '../../../../agent/proxy/dns-runtime.ts';

const [port, server] = [Number(process.argv[2]), process.argv[3]!];
const policy = { kind: 'NetobsNetworkPolicy' as const, namespace: 'default', name: 'dns' };
const rt = new DnsProxyRuntime({
  origin: () => ({ address: server, port: 53 }),
  endpointOf: () => 1,
  identityOf: () => 2,
  decision: () => ({ kind: 'dns', rules: [{ policy, rules: [{ matchPattern: '*.world.lab' }] }] }),
  learn: async (_q, m) => void process.stdout.write(`${JSON.stringify({ learnt: m.answers.map((a) => a.data) })}\n`),
  onRecord: (r) => process.stdout.write(`${JSON.stringify({ type: r.type, verdict: r.verdict, client: r.client, server: r.server, rcode: r.message.rcode })}\n`),
  log: (_l, msg) => process.stderr.write(`${msg}\n`),
}, { port });
await rt.start();
process.stdout.write('ready\n');
