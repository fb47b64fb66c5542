// How the plugin reaches the relay: `--server host:port` directly, or (like `hubble -P`) through
// the API server's pods/portforward to a ready relay pod, exposed on a local loopback port. A
// relay that requires mTLS (its Deployment names its certificate) gets the client certificate
// install issued, read from its Secret with the user's own credentials: the user's RBAC decides.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { PortForward, type KubeConfig, type V1Deployment, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { UserError } from './errors.ts';
import { Objects } from './kube-apply.ts';
import { NAMES, RELAY_SERVER_NAME_ANNOTATION, relaySelector } from '../api/kube-names.ts';

export const RELAY_PORT = 4245;
export { DEFAULT_NAMESPACE } from '../api/kube-names.ts';
import { DEFAULT_NAMESPACE } from '../api/kube-names.ts';

export interface RelayTarget {
  /** host:port for a gRPC client. */
  address: string;
  /** What the user should read in errors: the server or the relay pod. */
  description: string;
  /** TLS with the client certificate when the relay requires it, else plaintext. */
  credentials: grpc.ChannelCredentials;
  /** Channel options to pass with the credentials (the relay certificate's name, reconnect pacing). */
  channelOptions: grpc.ChannelOptions;
  close(): Promise<void>;
}

export interface RelayConnectOptions {
  server?: string | undefined;
  kc?: KubeConfig;
  namespace?: string | undefined;
  /** With --server: a directory with ca.crt, tls.crt and tls.key (the netobs-client-tls Secret's keys). */
  tlsDir?: string | undefined;
  /** With --server and tlsDir: the name in the relay's certificate (default: the server's host). */
  tlsServerName?: string | undefined;
}

/** Short reconnect pacing: a relay pod that was replaced is back in seconds. */
const RECONNECT: grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 };

function mtls(ca: Buffer, cert: Buffer, key: Buffer, serverName: string | undefined): Pick<RelayTarget, 'credentials' | 'channelOptions'> {
  return {
    credentials: grpc.credentials.createSsl(ca, key, cert),
    channelOptions: { ...RECONNECT, ...(serverName ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {}) },
  };
}

export async function connectRelay(o: RelayConnectOptions): Promise<RelayTarget> {
  if (o.server) {
    if (!/^[^\s:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(o.server)) throw new UserError(`invalid --server "${o.server}": use host:port, e.g. localhost:4245`);
    let sec: Pick<RelayTarget, 'credentials' | 'channelOptions'> = { credentials: grpc.credentials.createInsecure(), channelOptions: RECONNECT };
    if (o.tlsDir) {
      const read = (f: string): Buffer => {
        try {
          return readFileSync(path.join(o.tlsDir as string, f));
        } catch (err) {
          throw new UserError(`--tls-dir ${o.tlsDir}: cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (it holds ca.crt, tls.crt and tls.key of Secret ${NAMES.clientTlsSecret})`, { cause: err });
        }
      };
      sec = mtls(read('ca.crt'), read('tls.crt'), read('tls.key'), o.tlsServerName);
    }
    return { address: o.server, description: o.server, ...sec, close: async () => {} };
  }
  if (!o.kc) throw new UserError('no relay address: pass --server host:port or a kubeconfig');
  const ns = o.namespace ?? DEFAULT_NAMESPACE;
  const kc = o.kc;
  const { pod, serverName } = await findRelay(kc, ns);
  const sec = serverName ? await clientCertificate(kc, ns, serverName) : { credentials: grpc.credentials.createInsecure(), channelOptions: RECONNECT };
  // A relay pod replaced (rolling update, node drain) is found again on the next connection.
  const target = await forwardToPod(kc, ns, pod, RELAY_PORT, async () => (await findRelay(kc, ns)).pod);
  return { ...target, ...sec, get description() { return target.description; } };
}

/** The client certificate install issued for `kubectl netobs`, read with the user's credentials. */
async function clientCertificate(kc: KubeConfig, ns: string, serverName: string): Promise<Pick<RelayTarget, 'credentials' | 'channelOptions'>> {
  const ref = `Secret ${ns}/${NAMES.clientTlsSecret}`;
  let secret: V1Secret | undefined;
  try {
    secret = await new Objects(kc).get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: NAMES.clientTlsSecret, namespace: ns } });
  } catch (err) {
    if (/forbidden/i.test((err as Error).message)) {
      throw new UserError(`relay in ${ns} requires a client certificate: reading ${ref} is forbidden for you (ask for Role ${NAMES.userRole}: kubectl -n ${ns} create rolebinding <name> --role=${NAMES.userRole} --user=<you>)`, { cause: err });
    }
    throw err;
  }
  const get = (k: string): Buffer | undefined => (secret?.data?.[k] ? Buffer.from(secret.data[k] as string, 'base64') : undefined);
  const [ca, cert, key] = [get('ca.crt'), get('tls.crt'), get('tls.key')];
  if (!ca || !cert || !key) throw new UserError(`relay in ${ns} requires a client certificate: ${ref} is ${secret ? 'incomplete' : 'missing'} (run: kubectl netobs certs rotate, or kubectl netobs install)`);
  return mtls(ca, cert, key, serverName);
}

async function findRelay(kc: KubeConfig, ns: string): Promise<{ pod: string; serverName?: string }> {
  const objs = new Objects(kc);
  const dep = await objs.get<V1Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: NAMES.relay, namespace: ns } });
  if (!dep) throw new UserError(`netobs relay not found in namespace ${ns}: netobs is not installed there (run: kubectl netobs install, or pass -n / --server)`);
  const serverName = dep.metadata?.annotations?.[RELAY_SERVER_NAME_ANNOTATION];
  const sel = Object.entries(relaySelector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await objs.list<V1Pod>('v1', 'Pod', ns, sel);
  const ready = pods.find((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!ready) throw new UserError(`netobs relay in ${ns} is not ready (${pods.length} pods, none ready): check 'kubectl netobs status'`);
  return { pod: ready.metadata!.name!, ...(serverName ? { serverName } : {}) };
}

/**
 * A loopback listener whose every connection is tunnelled to the pod's port through the API
 * server. With `repick`, a tunnel that fails or that the far end closes makes the next
 * connection look the pod up again (gRPC clients reconnect by themselves), so a vanished pod is
 * not retried forever.
 */
export async function forwardToPod(kc: KubeConfig, ns: string, pod: string, port: number, repick?: () => Promise<string>): Promise<Omit<RelayTarget, 'credentials' | 'channelOptions'>> {
  const pf = new PortForward(kc);
  const sockets = new Set<net.Socket>();
  const tunnels = new Set<{ close(): void }>();
  let current: string | undefined = pod;
  let picking: Promise<string> | undefined;
  const podNow = async (): Promise<string> => {
    if (current !== undefined || !repick) return current ?? pod;
    picking ??= repick().finally(() => (picking = undefined));
    current = await picking;
    return current;
  };
  const stale = (name: string): void => {
    if (repick && current === name) current = undefined;
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // The gRPC client sees a failed tunnel as a closed connection and reconnects (a vanished pod is looked up again).
    socket.on('error', () => {});
    podNow().then(
      (name) => pf.portForward(ns, name, [port], socket, null, socket).then(
        (ws) => {
          // Each tunnel is a WebSocket to the API server: it ends with the local connection.
          const tunnel = typeof ws === 'function' ? ws() : ws;
          if (!tunnel) return;
          tunnels.add(tunnel);
          let local = false;
          const end = () => {
            local = true;
            tunnels.delete(tunnel);
            tunnel.close();
          };
          if (socket.destroyed) end();
          else socket.on('close', end);
          (tunnel as { once?: (ev: 'close', f: () => void) => void }).once?.('close', () => {
            if (local) return;
            stale(name);
            socket.destroy();
          });
        },
        (err: unknown) => {
          stale(name);
          socket.destroy(portForwardError(err, ns, name));
        },
      ),
      (err: unknown) => socket.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port: local } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${local}`,
    get description() {
      return `relay pod ${ns}/${current ?? pod} (port-forward)`;
    },
    async close() {
      for (const s of sockets) s.destroy();
      for (const t of tunnels) t.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function portForwardError(err: unknown, ns: string, pod: string): Error {
  const text = String((err as Error)?.message ?? err);
  if (/403|forbidden/i.test(text)) return new UserError(`port-forward to ${ns}/${pod} forbidden: your user needs "create pods/portforward" in ${ns} (or use --server)`);
  return new UserError(`port-forward to ${ns}/${pod}: ${text.split('\n')[0]}`, { cause: err });
}
