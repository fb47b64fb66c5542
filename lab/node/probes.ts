// Readiness probes, run from the host (which routes to every pod): tcpSocket, httpGet, and exec
// inside the container's namespaces.
import net from 'node:net';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { systemBin } from './sh.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export async function probeOnce(p: Any, podIp: string, container: { pid: number; env: Record<string, string> }): Promise<boolean> {
  const timeout = (p['timeoutSeconds'] ?? 1) * 1000;
  if (p['tcpSocket']) {
    return new Promise((resolve) => {
      const s = net.connect({ host: p['tcpSocket'].host ?? podIp, port: Number(p['tcpSocket'].port), timeout });
      s.on('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
      s.on('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
  }
  if (p['httpGet']) {
    const g = p['httpGet'];
    return new Promise((resolve) => {
      const req = http.get({ host: g.host ?? podIp, port: Number(g.port), path: g.path ?? '/', timeout, headers: Object.fromEntries(((g.httpHeaders ?? []) as Any[]).map((h) => [h['name'], h['value']])) }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => {
        req.destroy();
        resolve(false);
      });
    });
  }
  if (p['exec']?.command?.length) {
    return new Promise((resolve) => {
      const c = spawn(systemBin('nsenter'), ['-t', String(container.pid), '-n', '-u', '-m', '--', ...(p['exec'].command as string[])], { env: container.env, stdio: 'ignore' });
      const timer = setTimeout(() => c.kill('SIGKILL'), timeout);
      c.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
      c.on('error', () => resolve(false));
    });
  }
  return true;
}
