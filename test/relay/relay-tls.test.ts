// The relay's client port with mTLS, as install sets it up: calls without a client certificate
// (plaintext, TLS without a certificate, a certificate of another CA) are refused; the client
// certificate install issues for `kubectl netobs` works (through connectRelay, as the plugin
// connects). Rotating the files to a new CA takes effect for new connections without a restart,
// while a follow opened before the rotation keeps streaming.
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ObserverClient, observerService } from '../../api/grpc.ts';
import { relayServerName } from '../../api/config.ts';
import { generateTlsMaterial, type CertKey } from '../../install/tls-material.ts';
import { listenGrpc, reloadingServerCredentials, tlsFilesIn } from '../../lib/listen.ts';
import { connectRelay } from '../../lib/relay-connection.ts';
import { PeerPool } from '../../relay/peers.ts';
import { relayObserverHandlers } from '../../relay/server.ts';
import { FakeAgent, Reader } from './support/fake-agent.ts';

/** Writes ca.crt, tls.crt, tls.key as the Secret volume holds them (each file replaced whole). */
function writeTlsDir(dir: string, caCert: string, pair: CertKey): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of [['ca.crt', caCert], ['tls.crt', pair.cert], ['tls.key', pair.key]] as const) {
    writeFileSync(path.join(dir, `.${name}.tmp`), text);
    renameSync(path.join(dir, `.${name}.tmp`), path.join(dir, name));
  }
  return dir;
}

const NAME = relayServerName('default');
const status = (c: ObserverClient) => c.serverStatus({ deadline: Date.now() + 5000 });

test('the relay port refuses clients without the netobs client certificate; rotated certificates apply to new connections without dropping a follow', async (t) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'netobs-relay-tls-'));
  const m = generateTlsMaterial({ clusterName: 'default', validityDays: 1 });
  const stranger = generateTlsMaterial({ clusterName: 'default', validityDays: 1 });
  const serverDir = writeTlsDir(path.join(tmp, 'server'), m.ca.cert, m.relayServer);
  const clientDir = writeTlsDir(path.join(tmp, 'client'), m.ca.cert, m.cliClient);
  const agent = new FakeAgent('node-a');
  await agent.start();
  const pool = new PeerPool();
  pool.set([{ node: 'node-a', address: agent.address }]);
  const relay = await listenGrpc(
    [{ definition: observerService, handlers: relayObserverHandlers(pool, 'relay-test') }],
    [{ address: '127.0.0.1:0', credentials: reloadingServerCredentials(tlsFilesIn(serverDir), 100) }],
  );
  const address = `127.0.0.1:${relay.ports[0]}`;
  const opts = { 'grpc.ssl_target_name_override': NAME, 'grpc.default_authority': NAME };
  const clients: ObserverClient[] = [];
  const client = (creds: grpc.ChannelCredentials) => {
    const c = new ObserverClient(address, creds, opts);
    clients.push(c);
    return c;
  };
  const buf = (s: string) => Buffer.from(s);
  try {
    // Refused: plaintext, TLS without a client certificate, a client certificate of another CA.
    await t.throwsAsync(status(client(grpc.credentials.createInsecure())), undefined, 'plaintext');
    await t.throwsAsync(status(client(grpc.credentials.createSsl(buf(m.ca.cert)))), undefined, 'no client certificate');
    await t.throwsAsync(status(client(grpc.credentials.createSsl(buf(m.ca.cert), buf(stranger.cliClient.key), buf(stranger.cliClient.cert)))), undefined, 'another CA');

    // The plugin's way: the certificate install issued, checked against the relay's name.
    const target = await connectRelay({ server: address, tlsDir: clientDir, tlsServerName: NAME });
    const plugin = new ObserverClient(target.address, target.credentials, target.channelOptions);
    clients.push(plugin);
    t.is((await status(plugin)).num_connected_nodes?.value, 1);
    const follow = plugin.getFlows({ follow: true });
    const r = new Reader(follow);
    await r.next('a flow through the mTLS relay', (e) => e.flow?.node_name === 'node-a');

    // Rotation to a new CA: the server files change under the running relay.
    const next = generateTlsMaterial({ clusterName: 'default', validityDays: 1 });
    writeTlsDir(serverDir, next.ca.cert, next.relayServer);
    const nextCreds = grpc.credentials.createSsl(buf(next.ca.cert), buf(next.cliClient.key), buf(next.cliClient.cert));
    let reloaded = false;
    for (let i = 0; i < 100 && !reloaded; i++) {
      reloaded = await status(client(nextCreds)).then(() => true, () => false);
      if (!reloaded) await new Promise((res) => setTimeout(res, 100));
    }
    t.true(reloaded, 'a new connection with the new CA\'s client certificate is accepted');
    await t.throwsAsync(status(client(grpc.credentials.createSsl(buf(m.ca.cert), buf(m.cliClient.key), buf(m.cliClient.cert)))), undefined, 'the old CA is no longer trusted for new connections');
    const before = r.events.length;
    await r.next('a flow on the follow opened before the rotation', (e) => e.flow?.node_name === 'node-a');
    t.true(r.events.length > before);
    follow.cancel();
    await target.close();
  } finally {
    for (const c of clients) c.close();
    await relay.close();
    pool.close();
    agent.crash();
    rmSync(tmp, { recursive: true, force: true });
  }
});
