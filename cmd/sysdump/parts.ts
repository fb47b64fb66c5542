// What a sysdump holds, one part per kind of evidence. Each part reads the cluster (directly or
// through the relay) and returns files; a failure is the part's own and never stops the others.
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1CustomResourceDefinition, type V1Pod } from '@kubernetes/client-node';
import { stringify as toYaml } from 'yaml';
import { GROUP, NAMES } from '../../api/kube-names.ts';
import { FlowPrinter } from '../../api/print/printer.ts';
import { statusPath } from '../../api/status/paths.ts';
import type { GetFlowsResponse } from '../../api/types.ts';
import { buildInfo } from '../../lib/build-info.ts';
import type { Objects } from '../../lib/kube-apply.ts';
import { apiError } from '../../lib/kube.ts';
import { gatherStatus } from '../../install/cluster/status.ts';
import { loadStoredValues } from '../../install/cluster/values-secret.ts';
import type { RelayApi } from '../relay-api.ts';
import { redactSecret, secretNeedles } from './redact.ts';

export interface SysdumpFile {
  name: string;
  data: string;
}

export interface PartResult {
  files: SysdumpFile[];
  /** What of the part failed, one line each; the part's other files are kept. */
  errors: string[];
}

export interface SysdumpContext {
  kc: KubeConfig;
  objs: Objects;
  namespace: string;
  /** The relay, connected on first use; a failure to connect fails each relay part. */
  relay: () => Promise<RelayApi>;
  /** How many recent flows to ask the relay for. */
  flows: number;
  /** Secret values seen so far: cut out of every file at the end. */
  needles: string[];
}

export interface Part {
  name: string;
  collect(ctx: SysdumpContext): Promise<PartResult>;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const ok = (...files: SysdumpFile[]): PartResult => ({ files, errors: [] });
/** managedFields say who wrote which field: noise in a support bundle. */
const trim = <T extends KubernetesObject>(o: T): T => ({ ...o, metadata: { ...o.metadata, managedFields: undefined } });
const list = (items: unknown[]) => toYaml({ apiVersion: 'v1', kind: 'List', items });

/** The netobs objects: CRDs and all their objects, the install namespace's workloads and config, Secrets redacted. */
const objects: Part = {
  name: 'netobs objects',
  async collect(ctx) {
    const files: SysdumpFile[] = [];
    const errors: string[] = [];
    const grab = async (file: string, fn: () => Promise<unknown[]>) => {
      try {
        files.push({ name: `objects/${file}.yaml`, data: list(await fn()) });
      } catch (err) {
        errors.push(`${file}: ${(err as Error).message}`);
      }
    };
    // Secrets first: their values are what every later file is scrubbed of.
    await grab('secrets', async () => {
      const secrets = await ctx.objs.list<KubernetesObject & { data?: Record<string, string> }>('v1', 'Secret', ctx.namespace);
      // The stored install values are values, not secrets: values.yaml carries them on purpose.
      for (const s of secrets) if (s.metadata?.name !== NAMES.installValues) ctx.needles.push(...secretNeedles(s));
      return secrets.map((s) => redactSecret(trim(s)));
    });
    let crds: V1CustomResourceDefinition[] = [];
    await grab('customresourcedefinitions', async () => {
      crds = (await ctx.objs.list<V1CustomResourceDefinition>('apiextensions.k8s.io/v1', 'CustomResourceDefinition')).filter((c) => c.spec.group === GROUP);
      return crds.map(trim);
    });
    for (const crd of crds) {
      const version = crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]?.name;
      // As kubectl names them (networkpolicies.netobs.io): the plural alone clashes with Kubernetes' own.
      await grab(`${crd.spec.names.plural}.${crd.spec.group}`, async () => (await ctx.objs.list(`${crd.spec.group}/${version}`, crd.spec.names.kind)).map(trim));
    }
    for (const [apiVersion, kind, file] of [
      ['apps/v1', 'DaemonSet', 'daemonsets'], ['apps/v1', 'Deployment', 'deployments'], ['v1', 'ConfigMap', 'configmaps'],
      ['v1', 'Service', 'services'], ['v1', 'ServiceAccount', 'serviceaccounts'], ['v1', 'Pod', 'pods'],
    ] as const) {
      await grab(file, async () => (await ctx.objs.list(apiVersion, kind, ctx.namespace)).map(trim));
    }
    // Every namespace's: these are what the agents enforce and where they run.
    await grab('networkpolicies', async () => (await ctx.objs.list('networking.k8s.io/v1', 'NetworkPolicy')).map(trim));
    await grab('nodes', async () => (await ctx.objs.list('v1', 'Node')).map(trim));
    return { files, errors };
  },
};

const version: Part = { name: 'version', collect: async () => ok({ name: 'version.json', data: json(buildInfo()) }) };

const status: Part = { name: 'status', collect: async (ctx) => ok({ name: 'status.json', data: json(await gatherStatus(ctx.objs, ctx.namespace)) }) };

const values: Part = {
  name: 'rendered values',
  async collect(ctx) {
    const stored = await loadStoredValues(ctx.objs, ctx.namespace);
    if (!stored) throw new Error(`no Secret ${ctx.namespace}/${NAMES.installValues} (installed by an older plugin, or not installed)`);
    return ok({ name: 'values.yaml', data: toYaml(stored.values) }, { name: 'user-values.yaml', data: toYaml(stored.userValues) });
  },
};

const events: Part = {
  name: 'events',
  collect: async (ctx) => ok({ name: 'events.yaml', data: list((await ctx.objs.list('v1', 'Event', ctx.namespace)).map(trim)) }),
};

/** Each container's log of every pod in the install namespace (and the previous run's, after a restart). */
const logs: Part = {
  name: 'logs',
  async collect(ctx) {
    const core = ctx.kc.makeApiClient(CoreV1Api);
    const files: SysdumpFile[] = [];
    const errors: string[] = [];
    const pods = await ctx.objs.list<V1Pod>('v1', 'Pod', ctx.namespace);
    for (const pod of pods) {
      const name = pod.metadata!.name!;
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        const restarted = (pod.status?.containerStatuses ?? []).some((s) => s.name === c.name && s.restartCount > 0);
        for (const previous of restarted ? [false, true] : [false]) {
          try {
            const log = await core.readNamespacedPodLog({ name, namespace: ctx.namespace, container: c.name, previous, tailLines: 20_000 });
            files.push({ name: `logs/${name}/${c.name}${previous ? '.previous' : ''}.log`, data: String(log) });
          } catch (err) {
            errors.push(`${name}/${c.name}${previous ? ' (previous)' : ''}: ${apiError('read log', err, ctx.kc).message}`);
          }
        }
      }
    }
    return { files, errors };
  },
};

/** Every agent's status documents through the relay: status, endpoints with their policy entries, map summaries. */
const agents: Part = {
  name: 'agent status documents and map summaries',
  async collect(ctx) {
    const api = await ctx.relay();
    const files: SysdumpFile[] = [];
    const errors: string[] = [];
    const docs = [['status', statusPath.status()], ['endpoints', statusPath.endpoints({ policy: true })], ['maps', statusPath.maps()]] as const;
    for (const [file, p] of docs) {
      for (const a of await api.query<unknown>(p)) {
        if (a.error !== undefined) errors.push(`node ${a.node}: ${file}: ${a.error}`);
        else files.push({ name: `agents/${a.node}/${file}.json`, data: json(a.body) });
      }
    }
    return { files, errors };
  },
};

/** The most recent flows of every node, merged by the relay, as `observe -o json` prints them. */
const flows: Part = {
  name: 'recent flows',
  async collect(ctx) {
    const api = await ctx.relay();
    let out = '';
    const printer = new FlowPrinter('json', { out: (s) => (out += s), err: () => {} }, { nodeName: true });
    const call = api.observer.getFlows({ number: ctx.flows }, { deadline: Date.now() + 60_000 });
    await new Promise<void>((resolve, reject) => {
      call.on('data', (res: GetFlowsResponse) => printer.write(res));
      call.on('end', () => resolve());
      call.on('error', (err: Error & { details?: string }) => reject(new Error(`GetFlows: ${err.details ?? err.message}`)));
    });
    printer.close();
    return ok({ name: 'flows.json', data: out });
  },
};

/** In this order: Secrets are read (and their values learnt) before any file that could echo one. */
export const SYSDUMP_PARTS: readonly Part[] = [version, objects, status, values, events, logs, agents, flows];
