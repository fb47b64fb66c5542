// Upgraded connections for pods: exec and attach over the WebSocket channel protocols (v4/v5:
// one channel byte per message, 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close),
// and portforward over v4.channel.k8s.io (client libraries) or SPDY/3.1 tunnelled in WebSocket
// messages (kubectl 1.31+).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, Writable, type Duplex, type Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { isSpdyTunnel, tokenizeProtocols, webSocketServer, type WebSocket } from './ws.ts';
import type { Api } from './api.ts';
import { ApiError } from './errors.ts';
import { controlFrame, dataFrame, decodeHeaders, encodeHeaders, FLAG_FIN, FrameReader, HeaderCodec, TYPE } from './spdy.ts';

/** What the kubelets offer the API server for pods' streaming subresources. */
export interface PodRuntime {
  logs(namespace: string, pod: string, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void>;
  exec(
    namespace: string,
    pod: string,
    container: string | undefined,
    command: string[],
    io: { stdin?: Readable; stdout: Writable; stderr: Writable; tty: boolean },
  ): Promise<{ exitCode: number; error?: string }>;
  connect(namespace: string, pod: string, port: number): Promise<Socket>;
}

export interface UpgradeTarget {
  namespace: string;
  name: string;
  subresource: string;
}

const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const PF_SPDY = 'SPDY/3.1+portforward.k8s.io';
const PF_PROTOCOLS = [PF_SPDY, 'v4.channel.k8s.io', 'portforward.k8s.io'];

let wss: ReturnType<typeof webSocketServer> | undefined;
function pick(offered: Set<string>): string | false {
  for (const p of [...EXEC_PROTOCOLS, ...PF_PROTOCOLS]) if (offered.has(p)) return p;
  return false;
}

function reject(socket: Duplex, code: number, message: string): void {
  const body = JSON.stringify(new ApiError(code, code === 404 ? 'NotFound' : 'BadRequest', message).toStatus());
  socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export function handleUpgrade(api: Api, runtime: PodRuntime, t: UpgradeTarget, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  try {
    api.get(api.rt('', 'pods'), t.namespace, t.name);
  } catch (e) {
    reject(socket, (e as ApiError).code ?? 404, (e as Error).message);
    return;
  }
  if (!req.headers['sec-websocket-key']) {
    reject(socket, 400, 'the netobs lab serves exec and port-forward over WebSocket only (no SPDY upgrade)');
    return;
  }
  wss ??= webSocketServer(pick);
  const proto = tokenizeProtocols(req.headers['sec-websocket-protocol']);
  if (proto !== undefined) req.headers['sec-websocket-protocol'] = proto;
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (t.subresource === 'exec' || t.subresource === 'attach') void execSession(runtime, t, url, ws);
    else if (t.subresource === 'portforward') {
      if (isSpdyTunnel(ws.protocol)) spdyPortForward(runtime, t, ws);
      else channelPortForward(runtime, t, url, ws);
    } else ws.close(1008, 'unsupported subresource');
  });
}

function status(exitCode: number, error?: string): Buffer {
  if (exitCode === 0 && !error) return Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }));
  if (error) return Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: error, reason: 'InternalError', code: 500 }));
  return Buffer.from(
    JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: `command terminated with non-zero exit code: error executing command [...], exit code ${exitCode}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
    }),
  );
}

function channelWriter(ws: WebSocket, ch: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) return cb();
      ws.send(Buffer.concat([Buffer.from([ch]), chunk]), { binary: true }, () => cb());
    },
  });
}

async function execSession(runtime: PodRuntime, t: UpgradeTarget, url: URL, ws: WebSocket): Promise<void> {
  const q = url.searchParams;
  const command = q.getAll('command');
  const wantStdin = q.get('stdin') === 'true' || q.get('stdin') === '1';
  const tty = q.get('tty') === 'true' || q.get('tty') === '1';
  const stdin = wantStdin ? new PassThrough() : undefined;
  ws.on('message', (data: Buffer) => {
    const ch = data[0];
    if (ch === 0 && stdin) stdin.write(data.subarray(1));
    else if (ch === 255 && data[1] === 0) stdin?.end(); // v5: the client closed stdin
  });
  ws.on('close', () => stdin?.end());
  let result: { exitCode: number; error?: string };
  try {
    // With a TTY, `script` gives the command a pseudo-terminal inside the pod's namespaces.
    const cmd = tty ? ['script', '-qfec', command.map(shellQuote).join(' '), '/dev/null'] : command;
    result = await runtime.exec(t.namespace, t.name, q.get('container') ?? undefined, cmd, { ...(stdin ? { stdin } : {}), stdout: channelWriter(ws, 1), stderr: channelWriter(ws, tty ? 1 : 2), tty });
  } catch (e) {
    result = { exitCode: 1, error: (e as Error).message };
  }
  if (ws.readyState === ws.OPEN) {
    ws.send(Buffer.concat([Buffer.from([3]), status(result.exitCode, result.error)]), { binary: true }, () => ws.close(1000));
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** v4.channel.k8s.io port forwarding: port i uses channel 2i for data and 2i+1 for errors. */
function channelPortForward(runtime: PodRuntime, t: UpgradeTarget, url: URL, ws: WebSocket): void {
  const ports = url.searchParams.getAll('ports').flatMap((p) => p.split(',')).map(Number).filter((n) => n > 0);
  const sockets: (Socket | undefined)[] = [];
  const pending: Buffer[][] = ports.map(() => []);
  const portBytes = (p: number) => Buffer.from([p & 0xff, p >> 8]);
  ports.forEach((port, i) => {
    ws.send(Buffer.concat([Buffer.from([2 * i]), portBytes(port)]));
    ws.send(Buffer.concat([Buffer.from([2 * i + 1]), portBytes(port)]));
    runtime.connect(t.namespace, t.name, port).then(
      (s) => {
        sockets[i] = s;
        for (const b of pending[i]!) s.write(b);
        s.on('data', (d: Buffer) => ws.readyState === ws.OPEN && ws.send(Buffer.concat([Buffer.from([2 * i]), d])));
        s.on('close', () => ws.readyState === ws.OPEN && ws.close(1000));
        s.on('error', () => {});
      },
      (e: Error) => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(e.message)]));
        ws.close(1000);
      },
    );
  });
  ws.on('message', (data: Buffer) => {
    const ch = data[0]!;
    if (ch % 2 !== 0) return;
    const i = ch / 2;
    const body = data.subarray(1);
    if (sockets[i]) sockets[i]!.write(body);
    else pending[i]?.push(body);
  });
  ws.on('close', () => sockets.forEach((s) => s?.destroy()));
}

/** SPDY/3.1 over WebSocket: each forwarded connection is an error stream plus a data stream sharing a requestID. */
function spdyPortForward(runtime: PodRuntime, t: UpgradeTarget, ws: WebSocket): void {
  const reader = new FrameReader();
  const codec = new HeaderCodec();
  const conns = new Map<string, { socket?: Socket; dataStream?: number; errorStream?: number; pending: Buffer[]; finished: boolean }>();
  const byStream = new Map<number, { requestId: string; type: string }>();
  let out: Promise<void> = Promise.resolve();
  const send = (b: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
  };
  const reply = (streamId: number) => {
    out = out.then(async () => {
      const block = await codec.deflate(encodeHeaders({}));
      const id = Buffer.alloc(4);
      id.writeUInt32BE(streamId);
      send(controlFrame(TYPE.SYN_REPLY, 0, Buffer.concat([id, block])));
    });
    return out;
  };
  const finish = (streamId: number) => send(dataFrame(streamId, FLAG_FIN, Buffer.alloc(0)));

  const connect = (requestId: string, port: number) => {
    const c = conns.get(requestId)!;
    runtime.connect(t.namespace, t.name, port).then(
      (s) => {
        c.socket = s;
        for (const b of c.pending) s.write(b);
        c.pending = [];
        if (c.finished) s.end();
        s.on('data', (d: Buffer) => {
          if (c.dataStream !== undefined) void out.then(() => send(dataFrame(c.dataStream!, 0, d)));
        });
        s.on('end', () => void out.then(() => c.dataStream !== undefined && finish(c.dataStream)));
        s.on('error', () => {});
      },
      (e: Error) => {
        void out.then(() => {
          if (c.errorStream !== undefined) {
            send(dataFrame(c.errorStream, 0, Buffer.from(e.message)));
            finish(c.errorStream);
          }
          if (c.dataStream !== undefined) finish(c.dataStream);
        });
      },
    );
  };

  const onFrame = async (f: ReturnType<FrameReader['push']>[number]) => {
    if (!f.control) {
      const s = byStream.get(f.streamId);
      if (!s) return;
      const c = conns.get(s.requestId);
      if (!c || s.type !== 'data') return;
      if (f.data.length) {
        if (c.socket) c.socket.write(f.data);
        else c.pending.push(Buffer.from(f.data));
      }
      if (f.flags & FLAG_FIN) {
        c.finished = true;
        c.socket?.end();
      }
      return;
    }
    switch (f.type) {
      case TYPE.SYN_STREAM: {
        const streamId = f.data.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaders(await codec.inflate(f.data.subarray(10)));
        const type = headers['streamtype'] ?? '';
        const port = Number(headers['port'] ?? 0);
        const requestId = headers['requestid'] ?? String(streamId);
        byStream.set(streamId, { requestId, type });
        let c = conns.get(requestId);
        if (!c) conns.set(requestId, (c = { pending: [], finished: false }));
        if (type === 'error') c.errorStream = streamId;
        if (type === 'data') c.dataStream = streamId;
        await reply(streamId);
        if (type === 'data') connect(requestId, port);
        break;
      }
      case TYPE.PING:
        send(controlFrame(TYPE.PING, 0, f.data));
        break;
      case TYPE.RST_STREAM: {
        const s = byStream.get(f.data.readUInt32BE(0) & 0x7fffffff);
        if (s) conns.get(s.requestId)?.socket?.destroy();
        break;
      }
      case TYPE.GOAWAY:
        ws.close(1000);
        break;
      default:
        break; // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do for port forwarding
    }
  };

  let inbound: Promise<void> = Promise.resolve();
  ws.on('message', (data: Buffer) => {
    for (const f of reader.push(Buffer.from(data))) inbound = inbound.then(() => onFrame(f)).catch(() => ws.close(1011));
  });
  ws.on('close', () => {
    for (const c of conns.values()) c.socket?.destroy();
    codec.close();
  });
}
