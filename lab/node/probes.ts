// Readiness probes, run from the host (which routes to every pod): tcpSocket, httpGet, and exec
// inside the container's namespaces.
import net from 'node:net';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { systemBin } from './sh.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

const isLoopback = (h: unknown): boolean => typeof h === 'string' && (h === 'localhost' || h.startsWith('127.') || h === '::1');

/**
 * Probes run where a real kubelet runs them: loopback addresses in the container's network
 * namespace, everything else from the node's (so the datapath sees the node, identity host,
 * as it would in a cluster, not the lab's host).
 */
function inNetns(ns: { pid: number } | { name: string }, args: string[], timeout: number): Promise<boolean> {
  return new Promise((resolve) => {
    const enter = 'pid' in ns ? ['-t', String(ns.pid), '-n'] : [`--net=/var/run/netns/${ns.name}`];
    const c = spawn(systemBin('nsenter'), [...enter, '--', ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => c.kill('SIGKILL'), timeout + 500);
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    c.on('error', () => resolve(false));
  });
}

/** A probe port is a number or the name of one of the container's ports. */
function resolvePort(v: unknown, ports: Any[] | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return Number((ports ?? []).find((x) => x['name'] === v)?.['containerPort'] ?? NaN);
}

export async function probeOnce(p: Any, podIp: string, container: { pid: number; env: Record<string, string>; ports?: Any[]; nodeNetns?: string }): Promise<boolean> {
  const timeout = (p['timeoutSeconds'] ?? 1) * 1000;
  if (p['tcpSocket']) p = { ...p, tcpSocket: { ...p['tcpSocket'], port: resolvePort(p['tcpSocket'].port, container.ports) } };
  if (p['httpGet']) p = { ...p, httpGet: { ...p['httpGet'], port: resolvePort(p['httpGet'].port, container.ports) } };
  const where = (host: unknown) => (isLoopback(host) ? { pid: container.pid } : container.nodeNetns ? { name: container.nodeNetns } : undefined);
  if (p['tcpSocket'] && where(p['tcpSocket'].host)) {
    const host = p['tcpSocket'].host ?? podIp;
    return inNetns(where(p['tcpSocket'].host)!, [systemBin('bash'), '-c', `exec 3<>/dev/tcp/${host}/${Number(p['tcpSocket'].port)}`], timeout);
  }
  if (p['httpGet'] && where(p['httpGet'].host)) {
    const g = p['httpGet'];
    const host = String(g.host ?? podIp);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${Number(g.port)}${g.path ?? '/'}`;
    const headers = ((g.httpHeaders ?? []) as Any[]).flatMap((h) => ['-H', `${h['name']}: ${h['value']}`]);
    return inNetns(where(g.host)!, [systemBin('curl'), '-sf', '-o', '/dev/null', '-m', String(Math.max(1, timeout / 1000)), ...headers, url], timeout);
  }
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
