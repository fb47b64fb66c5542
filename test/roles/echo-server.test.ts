import test from 'ava';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { startEcho, statusFromPath } from '../../roles/echo-server.ts';

test('http answers with the request it saw', async (t) => {
  const server = await startEcho({ port: 0, host: '127.0.0.1' });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/hello?x=1`);
    t.is(res.status, 200);
    const body = (await res.json()) as { method: string; path: string };
    t.is(body.method, 'GET');
    t.is(body.path, '/hello?x=1');
    t.is((await fetch(`http://127.0.0.1:${server.port}/status/503`)).status, 503);
  } finally {
    await server.close();
  }
});

test('udp echoes datagrams', async (t) => {
  const server = await startEcho({ port: 0, host: '127.0.0.1' });
  const sock = dgram.createSocket('udp4');
  try {
    sock.send('ping', server.port, '127.0.0.1');
    const [msg] = (await once(sock, 'message')) as [Buffer];
    t.is(msg.toString(), 'ping');
  } finally {
    sock.close();
    await server.close();
  }
});

test('status paths', (t) => {
  t.is(statusFromPath('/status/404'), 404);
  t.is(statusFromPath('/status/404/x'), 404);
  t.is(statusFromPath('/status/99'), 200);
  t.is(statusFromPath('/'), 200);
  // The demo's Death Star explodes on its exhaust port, as in Cilium's Star Wars demo.
  t.is(statusFromPath('/v1/exhaust-port'), 503);
  t.is(statusFromPath('/v1/exhaust-portal'), 200);
});
