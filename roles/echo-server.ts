// The `echo` role: an HTTP server that describes each request back (so probes can assert who
// they reached) and a UDP echo on the same port number. Used by connectivity tests and the lab.
// `/bytes/N` streams N zero bytes instead: what `connectivity perf` measures throughput with.
import http from 'node:http';
import dgram from 'node:dgram';
import os from 'node:os';
import { once } from 'node:events';

export interface EchoOptions {
  port: number;
  host?: string;
}

export interface EchoServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startEcho(opts: EchoOptions): Promise<EchoServer> {
  const host = opts.host ?? '::';
  const hostname = os.hostname();
  const server = http.createServer(orBytes((req, res) => {
    const status = statusFromPath(req.url ?? '/');
    if (status === EXHAUST_PORT_STATUS) {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('Panic: deathstar exploded\n');
      return;
    }
    const body = JSON.stringify({
      hostname,
      method: req.method,
      path: req.url,
      client: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
      headers: req.headers,
    });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }));
  server.listen(opts.port, host);
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;

  const udp = dgram.createSocket(host.includes(':') ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  udp.bind(port, host);
  await once(udp, 'listening');

  return {
    port,
    async close() {
      udp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the Star Wars demo's Death Star answers on its exhaust port, as in Cilium's demo. */
const EXHAUST_PORT_STATUS = 503;

/**
 * `/status/404` answers 404, so probes can produce HTTP errors on purpose; `/v1/exhaust-port`
 * answers 503 (the Death Star explodes), the server error L7 policy exists to prevent.
 */
export function statusFromPath(url: string): number {
  if (/^\/v1\/exhaust-port(?:[/?]|$)/.test(url)) return EXHAUST_PORT_STATUS;
  const m = /^\/status\/(\d{3})(?:[/?]|$)/.exec(url);
  const code = m ? Number(m[1]) : 200;
  return code >= 100 && code <= 599 ? code : 200;
}

const CHUNK = Buffer.alloc(64 * 1024);

/** `/bytes/N` is streamed; every other request goes to the handler. */
function orBytes(handler: http.RequestListener): http.RequestListener {
  return (req, res) => {
    const bytes = bytesFromPath(req.url ?? '/');
    if (bytes === undefined) return handler(req, res);
    streamZeros(res, bytes);
  };
}

/** Writes n zero bytes as fast as the connection takes them; stops when the client goes. */
function streamZeros(res: http.ServerResponse, n: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
  let left = n;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (left === 0) res.end();
  };
  pump();
}

/** `/bytes/N`: N (at most 2^40) bytes to stream; undefined for any other path. */
export function bytesFromPath(url: string): number | undefined {
  const m = /^\/bytes\/(\d{1,13})(?:[/?]|$)/.exec(url);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 2 ** 40 ? n : undefined;
}
