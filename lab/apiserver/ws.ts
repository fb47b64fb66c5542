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

export function webSocketServer(pickProtocol: (offered: Set<string>) => string | false): WebSocketServer {
  const Impl = WebSocketServerImpl as new (o: object) => WebSocketServer;
  return new Impl({ noServer: true, perMessageDeflate: false, handleProtocols: pickProtocol });
}
