// TCP probe: connect, then close gracefully and wait for the peer's FIN, so the flows show the
// whole SYN, SYN-ACK, FIN sequence that flow validation looks for.
import net from 'node:net';
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { errorCode, errorText, parseHostPort, ProbeTimeout } from './target.ts';

export async function probeTcp(spec: ProbeSpec, now: () => number = Date.now): Promise<ProbeResult> {
  const { host, port } = parseHostPort(spec.target);
  const started = now();
  const socket = net.connect({ host, port });
  const ends: Partial<ProbeResult> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProbeTimeout(spec.timeoutMs)), spec.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        Object.assign(ends, { localAddress: socket.localAddress, localPort: socket.localPort, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        // The client port is known once the SYN went out; keep it so drops can be matched.
        if (socket.localPort) Object.assign(ends, { localAddress: socket.localAddress, localPort: socket.localPort });
        reject(err);
      });
    });
    await closeGracefully(socket, Math.max(100, spec.timeoutMs - (now() - started)));
    return { kind: 'tcp', target: spec.target, ok: true, durationMs: now() - started, ...ends };
  } catch (err) {
    if (!ends.localPort && socket.localPort) Object.assign(ends, { localAddress: socket.localAddress, localPort: socket.localPort });
    socket.destroy();
    return { kind: 'tcp', target: spec.target, ok: false, error: errorText(err), errorCode: errorCode(err), durationMs: now() - started, ...ends };
  }
}

/** Sends our FIN and waits (bounded) for the peer to close its side too. */
export function closeGracefully(socket: net.Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', () => {});
    socket.resume();
    socket.end();
  });
}
