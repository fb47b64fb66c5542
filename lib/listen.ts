// Listening helpers with one close each: HTTP on a TCP address or a unix socket, gRPC on either.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';

export type Address = { host: string; port: number } | { socket: string };

export interface Closable {
  /** Where it ended up listening (port 0 resolved). */
  readonly address: string;
  close(): Promise<void>;
}

export async function listenHttp(addr: Address, handler: http.RequestListener): Promise<Closable & { port?: number }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5000;
  if ('socket' in addr) {
    mkdirSync(path.dirname(addr.socket), { recursive: true });
    rmSync(addr.socket, { force: true }); // a previous agent's socket file
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('socket' in addr) server.listen(addr.socket, resolve);
    else server.listen(addr.port, addr.host, resolve);
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : undefined;
  return {
    address: 'socket' in addr ? addr.socket : `${addr.host}:${port}`,
    ...(port !== undefined ? { port } : {}),
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Server credentials: mTLS (clients must present a certificate of the CA) or plaintext. */
export function serverCredentials(tls?: TlsFiles): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(readFileSync(tls.ca), [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }], true);
}

function watcher(tls: TlsFiles, refreshMs: number): grpc.experimental.CertificateProvider {
  return new grpc.experimental.FileWatcherCertificateProvider({ caCertificateFile: tls.ca, certificateFile: tls.cert, privateKeyFile: tls.key, refreshIntervalMs: refreshMs });
}

/**
 * mTLS server credentials that follow the files: every refreshMs the CA, certificate and key
 * are read again (a rotated Secret, once the kubelet has synced the volume), and new
 * connections get them; established connections and their streams are left alone.
 */
export function reloadingServerCredentials(tls: TlsFiles, refreshMs: number): grpc.ServerCredentials {
  const files = watcher(tls, refreshMs);
  return grpc.experimental.createCertificateProviderServerCredentials(files, files, true);
}

/** Client credentials (CA and client certificate) that follow the files, as reloadingServerCredentials. */
export function reloadingChannelCredentials(tls: TlsFiles, refreshMs: number): grpc.ChannelCredentials {
  const files = watcher(tls, refreshMs);
  return grpc.experimental.createCertificateProviderChannelCredentials(files, files);
}

export function tlsFilesIn(dir: string): TlsFiles {
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') };
}

/** A gRPC server with the given services on each address (`host:port` or `unix:/path`). */
export async function listenGrpc(
  services: { definition: grpc.ServiceDefinition; handlers: grpc.UntypedServiceImplementation }[],
  binds: { address: string; credentials: grpc.ServerCredentials }[],
  /** Adds services that register themselves (server reflection). */
  extra?: (server: grpc.Server) => void,
): Promise<{ server: grpc.Server; ports: number[]; close(): Promise<void> }> {
  const server = new grpc.Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.max_send_message_length': 16 << 20 });
  for (const s of services) server.addService(s.definition, s.handlers);
  extra?.(server);
  const ports: number[] = [];
  for (const b of binds) {
    if (b.address.startsWith('unix:')) {
      const file = b.address.slice('unix:'.length).replace(/^\/\//, '');
      mkdirSync(path.dirname(file), { recursive: true });
      rmSync(file, { force: true });
    }
    ports.push(await new Promise<number>((resolve, reject) => server.bindAsync(b.address, b.credentials, (err, port) => (err ? reject(new Error(`listen ${b.address}: ${err.message}`)) : resolve(port)))));
  }
  return {
    server,
    ports,
    close: () => new Promise((resolve) => {
      const t = setTimeout(() => server.forceShutdown(), 2000);
      server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    }),
  };
}
