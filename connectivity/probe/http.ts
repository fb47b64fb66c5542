// HTTP probe: one request on a fresh connection (`Connection: close`, no agent), so the
// connection's whole life, FIN included, falls inside the probe and its client port is known.
import http from 'node:http';
import type { ProbeResult, ProbeSpec } from '../framework/types.ts';
import { errorCode, errorText, parseHostPort, ProbeTimeout } from './target.ts';

export async function probeHttp(spec: ProbeSpec, now: () => number = Date.now): Promise<ProbeResult> {
  const started = now();
  const ends: Partial<ProbeResult> = {};
  const base = { kind: 'http' as const, target: spec.target };
  try {
    const { host, port } = parseHostPort(spec.target, 80);
    const res = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = http.request({
        host, port, method: spec.method ?? 'GET', path: spec.path ?? '/', agent: false,
        headers: { connection: 'close', 'user-agent': 'netobs-connectivity-probe' },
      });
      let note = () => {};
      // A dropped SYN never connects, but the port is bound and identifies the drop: read it
      // before the socket is destroyed.
      const timer = setTimeout(() => {
        note();
        req.destroy(new ProbeTimeout(spec.timeoutMs));
      }, spec.timeoutMs);
      req.on('socket', (socket) => {
        note = () => {
          if (socket.localPort && !ends.localPort) Object.assign(ends, { localAddress: socket.localAddress, localPort: socket.localPort, remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
        };
        socket.once('connect', note);
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        note();
        reject(err);
      });
      req.on('response', (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('error', reject);
        r.on('end', () => {
          clearTimeout(timer);
          resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks) });
        });
      });
      req.end();
    });
    return { ...base, ok: true, durationMs: now() - started, ...ends, http: { status: res.status, bodyBytes: res.body.length, ...hostnameOf(res.body), ...(spec.body ? { body: res.body.toString('utf8') } : {}) } };
  } catch (err) {
    return { ...base, ok: false, error: errorText(err), errorCode: errorCode(err), durationMs: now() - started, ...ends };
  }
}

/** The echo role names the pod that answered; other servers' bodies are ignored. */
function hostnameOf(body: Buffer): { hostname?: string } {
  try {
    const v = JSON.parse(body.toString('utf8')) as { hostname?: unknown };
    return typeof v.hostname === 'string' ? { hostname: v.hostname } : {};
  } catch {
    return {};
  }
}
