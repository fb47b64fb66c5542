// The few shapes of the `ws` package the lab uses (the package ships no types and @types/ws is
// not a dependency), typed here once.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
// @ts-ignore -- untyped module; the interfaces below describe what is used.
import { WebSocketServer as WebSocketServerImpl } from 'ws';

export interface WebSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly protocol: string;
  send(data: Buffer, opts?: { binary?: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: () => void): void;
}

export interface WebSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket) => void): void;
}

/**
 * ws only accepts RFC 6455 tokens as subprotocols, and kubectl's `SPDY/3.1+portforward.k8s.io`
 * has a '/': requests get the name with '-' instead, and responses the original back.
 */
export const SPDY_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
const SPDY_TOKEN = 'SPDY-3.1+portforward.k8s.io';

export function webSocketServer(pickProtocol: (offered: Set<string>) => string | false): WebSocketServer {
  const Impl = WebSocketServerImpl as new (o: object) => WebSocketServer & { on(ev: 'headers', fn: (h: string[]) => void): void };
  const wss = new Impl({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) => {
      const p = pickProtocol(new Set([...offered].map((o) => (o === SPDY_TOKEN ? SPDY_TUNNEL : o))));
      return p === SPDY_TUNNEL ? SPDY_TOKEN : p;
    },
  });
  wss.on('headers', (h) => {
    for (let i = 0; i < h.length; i++) if (h[i] === `Sec-WebSocket-Protocol: ${SPDY_TOKEN}`) h[i] = `Sec-WebSocket-Protocol: ${SPDY_TUNNEL}`;
  });
  return wss;
}

export function tokenizeProtocols(header: string | undefined): string | undefined {
  return header?.split(',').map((p) => (p.trim() === SPDY_TUNNEL ? SPDY_TOKEN : p.trim())).join(', ');
}

export const isSpdyTunnel = (protocol: string) => protocol === SPDY_TOKEN || protocol === SPDY_TUNNEL;
