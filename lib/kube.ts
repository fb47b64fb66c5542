// One way to reach a cluster: kubeconfig (--kubeconfig, --context, KUBECONFIG, ~/.kube/config) for
// the plugin, the in-cluster service account for agents and the relay.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from './errors.ts';
import { kubeconfigPaths } from './kubeconfig-paths.ts';

export interface KubeOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** Agents and the relay prefer the pod's service account when it is mounted. */
  inCluster?: boolean;
}

export function loadKubeConfig(opts: KubeOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else if (opts.inCluster && process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else {
      // Without any kubeconfig the client library invents http://localhost:8080; say so instead.
      const { fromEnv: files, home } = kubeconfigPaths(process.env, process.platform, existsSync, os.homedir());
      if (!files.some((f) => existsSync(f)) && !existsSync(home) && !process.env.KUBERNETES_SERVICE_HOST) {
        throw new UserError(`no kubeconfig found (KUBECONFIG ${files.length ? 'names no existing file' : 'unset'}, ${home} missing): pass --kubeconfig, or run \`kubectl netobs lab up\` on a Linux host for a local cluster`);
      }
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message} (pass --kubeconfig or set KUBECONFIG)`, { cause: err });
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`context "${opts.context}" not found in kubeconfig (known: ${known.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new UserError('no cluster configured: kubeconfig has no current context (pass --kubeconfig/--context, or run `kubectl netobs lab up`)');
  }
  return kc;
}

/** The namespace to use: -n, else the context's namespace, else the fallback. */
export function namespaceOf(kc: KubeConfig, explicit: string | undefined, fallback = 'default'): string {
  if (explicit) return explicit;
  const ctx = kc.getContextObject(kc.getCurrentContext());
  return ctx?.namespace ?? fallback;
}

/**
 * Turns an API failure into one line: connection problems name the server and the fix;
 * API errors (Status objects) keep the server's message.
 */
export function apiError(action: string, err: unknown, kc?: KubeConfig): UserError {
  const e = err as { code?: number | string; body?: unknown; message?: string; cause?: { code?: string } };
  const server = kc?.getCurrentCluster()?.server ?? 'the API server';
  const sysCode = typeof e.code === 'string' ? e.code : e.cause?.code;
  if (sysCode && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(sysCode)) {
    return new UserError(`${action}: cannot reach ${server} (${sysCode}); check --kubeconfig/--context and that the cluster is running`, { cause: err });
  }
  let body: { message?: string; reason?: string } | undefined;
  try {
    body = typeof e.body === 'string' ? (JSON.parse(e.body) as typeof body) : (e.body as typeof body);
  } catch {
    body = undefined;
  }
  const msg = body?.message ?? e.message ?? String(err);
  return new UserError(`${action}: ${msg.split('\n')[0]}`, { cause: err, details: typeof e.body === 'string' ? e.body : JSON.stringify(e.body) });
}
