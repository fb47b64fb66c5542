import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generateTlsMaterial, tlsMaterialFromSecrets, tlsMaterialProblems } from '../../install/tls-material.ts';
import { renderTlsSecrets, TLS_SECRETS } from '../../install/render/config.ts';
import { defaultValues } from '../../install/values.ts';

const m = generateTlsMaterial({ clusterName: 'default', validityDays: 365 });

test('certificates chain to the CA, with the expected names and usages', (t) => {
  const ca = new X509Certificate(m.ca.cert);
  const agent = new X509Certificate(m.agentServer.cert);
  const relay = new X509Certificate(m.relayClient.cert);
  t.true(ca.ca);
  t.true(agent.verify(ca.publicKey));
  t.true(relay.verify(ca.publicKey));
  t.is(agent.checkHost('node-1.default.agent.netobs.io'), '*.default.agent.netobs.io');
  t.is(agent.checkHost('node-1.other.agent.netobs.io'), undefined);
  t.deepEqual(agent.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  t.deepEqual(relay.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  t.false(m.ca.cert.includes('\r'));
  t.deepEqual(tlsMaterialProblems(m, { clusterName: 'default' }), []);
});

test('a real mTLS handshake: relay client to agent server on loopback', async (t) => {
  const server = tls.createServer({ key: m.agentServer.key, cert: m.agentServer.cert, ca: m.ca.cert, requestCert: true, rejectUnauthorized: true }, (s) => {
    s.end(`hello ${s.getPeerCertificate().subject.CN}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const connect = (withClientCert: boolean) =>
      new Promise<string>((resolve, reject) => {
        const c = tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'node-1.default.agent.netobs.io',
          ca: m.ca.cert,
          ...(withClientCert ? { key: m.relayClient.key, cert: m.relayClient.cert } : {}),
        });
        let data = '';
        c.on('data', (d: Buffer) => (data += d.toString()));
        c.on('end', () => resolve(data));
        c.on('error', reject);
      });
    t.is(await connect(true), 'hello netobs-relay.default');
    // Without a client certificate the agent refuses the connection.
    await t.throwsAsync(connect(false));
  } finally {
    server.close();
  }
});

test('material round-trips through the rendered Secrets', (t) => {
  const secrets = renderTlsSecrets(defaultValues('1'), m) as unknown as { metadata: { name: string }; data: Record<string, string> }[];
  const back = tlsMaterialFromSecrets(secrets, TLS_SECRETS);
  t.deepEqual(back, m);
  t.is(tlsMaterialFromSecrets(secrets.slice(1), TLS_SECRETS), undefined);
});

test('problems: expiry, another cluster, another CA', (t) => {
  const later = new Date(Date.now() + 360 * 86_400_000);
  t.deepEqual(
    tlsMaterialProblems(m, { clusterName: 'default', now: later, minDays: 30 }).map((p) => p.split(':')[0]),
    ['ca', 'agent server', 'relay client', 'relay server', 'kubectl-netobs client'],
  );
  t.deepEqual(tlsMaterialProblems(m, { clusterName: 'prod' }), ['agent server: not valid for node.prod.agent.netobs.io', 'relay server: not valid for prod.relay.netobs.io']);
  const other = generateTlsMaterial({ clusterName: 'default', validityDays: 365 });
  t.deepEqual(tlsMaterialProblems({ ...m, ca: other.ca }, { clusterName: 'default' }), ['agent server: not signed by the netobs CA', 'relay client: not signed by the netobs CA', 'relay server: not signed by the netobs CA', 'kubectl-netobs client: not signed by the netobs CA']);
});
