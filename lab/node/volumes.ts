// Pod volumes as directories bind-mounted into the container's mount namespace: emptyDir,
// hostPath, configMap, secret, downwardAPI and projected (with the service account token that
// in-cluster clients read from /var/run/secrets/kubernetes.io/serviceaccount).
import { mkdir, writeFile, rm, stat } from 'node:fs/promises';
import { mkdirPath } from '../../lib/fs-paths.ts';
import path from 'node:path';
import { fieldRefValue, type EnvSources, type PodFacts } from './pod-spec.ts';
import type { Mount } from './containers.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface VolumeContext extends EnvSources {
  caCert: string;
  token: string;
  /** Where a hostPath lives for this node (lab nodes share one host: some paths are per node). */
  mapHostPath?: (p: string) => Promise<string>;
}

async function writeItems(dir: string, data: Record<string, string>, items: Any[] | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries = items?.length ? items.map((i) => [i['path'], data[i['key']]] as const) : Object.entries(data);
  for (const [p, v] of entries) {
    if (v === undefined) continue;
    const file = path.join(dir, p);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, v);
  }
}

/** Materializes every volume of a pod under `podDir`; returns volume name → host path. */
export async function prepareVolumes(pod: Any, podDir: string, f: PodFacts, ctx: VolumeContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const v of (pod['spec']?.volumes ?? []) as Any[]) {
    const dir = path.join(podDir, 'volumes', v['name']);
    if (v['hostPath']) {
      const p = ctx.mapHostPath ? await ctx.mapHostPath(v['hostPath'].path as string) : (v['hostPath'].path as string);
      await checkHostPath(v['name'], p, v['hostPath'].type as string | undefined);
      out.set(v['name'], p);
      continue;
    }
    if (v['emptyDir']) await mkdir(dir, { recursive: true });
    else if (v['configMap']) {
      const data = ctx.configMap(f.namespace, v['configMap'].name);
      if (!data && !v['configMap'].optional) throw new Error(`configmap "${v['configMap'].name}" not found`);
      await writeItems(dir, data ?? {}, v['configMap'].items);
    } else if (v['secret']) {
      const data = ctx.secret(f.namespace, v['secret'].secretName);
      if (!data && !v['secret'].optional) throw new Error(`secret "${v['secret'].secretName}" not found`);
      await writeItems(dir, data ?? {}, v['secret'].items);
    } else if (v['downwardAPI']) {
      await writeItems(dir, Object.fromEntries((v['downwardAPI'].items ?? []).map((i: Any) => [i['path'], fieldRefValue(i['fieldRef']?.fieldPath ?? '', f)])), undefined);
    } else if (v['projected']) {
      await mkdir(dir, { recursive: true });
      for (const s of (v['projected'].sources ?? []) as Any[]) {
        if (s['serviceAccountToken']) await writeItems(dir, { [s['serviceAccountToken'].path ?? 'token']: ctx.token }, undefined);
        if (s['configMap']) await writeItems(dir, { ...(ctx.configMap(f.namespace, s['configMap'].name) ?? {}) }, s['configMap'].items);
        if (s['secret']) await writeItems(dir, { ...(ctx.secret(f.namespace, s['secret'].name) ?? {}) }, s['secret'].items);
        if (s['downwardAPI']) await writeItems(dir, Object.fromEntries((s['downwardAPI'].items ?? []).map((i: Any) => [i['path'], fieldRefValue(i['fieldRef']?.fieldPath ?? '', f)])), undefined);
      }
    } else await mkdir(dir, { recursive: true }); // unsupported kinds (PVCs…) become empty directories
    out.set(v['name'], dir);
  }
  if (pod['spec']?.automountServiceAccountToken !== false) {
    const sa = path.join(podDir, 'serviceaccount');
    await writeItems(sa, { token: ctx.token, 'ca.crt': ctx.caCert, namespace: f.namespace }, undefined);
    out.set('\0serviceaccount', sa);
  }
  return out;
}

/** hostPath types as the kubelet checks them: create what *OrCreate asks for, refuse a missing Directory or File. */
async function checkHostPath(volume: string, p: string, type: string | undefined): Promise<void> {
  if (type === 'DirectoryOrCreate') {
    await mkdirPath(p).catch((e: Error) => {
      throw new Error(`volume "${volume}": hostPath ${p}: ${e.message}`);
    });
    return;
  }
  if (type !== 'Directory' && type !== 'File') return;
  const s = await stat(p).catch(() => undefined);
  const ok = type === 'Directory' ? s?.isDirectory() : s?.isFile();
  if (!ok) throw new Error(`volume "${volume}": hostPath type check failed: ${p} is not a ${type.toLowerCase()}`);
}

export function containerMounts(c: Any, volumes: Map<string, string>): Mount[] {
  const mounts: Mount[] = [];
  const explicitSa = ((c['volumeMounts'] ?? []) as Any[]).some((m) => m['mountPath'] === SA_DIR);
  const sa = volumes.get('\0serviceaccount');
  if (sa && !explicitSa) mounts.push({ source: sa, target: SA_DIR, readOnly: true });
  for (const m of (c['volumeMounts'] ?? []) as Any[]) {
    const src = volumes.get(m['name']);
    if (!src) continue;
    const source = m['subPath'] ? path.join(src, m['subPath']) : src;
    if (source === m['mountPath']) continue; // a hostPath at its own path is already there
    mounts.push({ source, target: m['mountPath'], readOnly: !!m['readOnly'] });
  }
  return mounts;
}

export async function removePodDir(podDir: string): Promise<void> {
  await rm(podDir, { recursive: true, force: true });
}
