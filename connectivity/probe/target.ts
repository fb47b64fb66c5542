// `host:port` and `[v6]:port` targets, and how socket errors map onto probe error codes.
import type { ProbeErrorCode } from '../framework/types.ts';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(target: string, defaultPort?: number): HostPort {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(target);
  const m = v6 ?? /^([^:]+)(?::(\d+))?$/.exec(target);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || !m[1] || port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid target "${target}" (use host:port or [ipv6]:port)`);
  }
  return { host: m[1], port };
}

/** `ip:port` with brackets for IPv6, for result fields and messages. */
export const formatHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`timeout after ${ms}ms`);
    this.name = 'ProbeTimeout';
  }
}

export function errorCode(err: unknown): ProbeErrorCode {
  if (err instanceof ProbeTimeout) return 'timeout';
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return 'unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return 'dns';
    default:
      return 'error';
  }
}

export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof ProbeTimeout) return e.message;
  return e?.code && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : String(e?.message ?? err);
}
