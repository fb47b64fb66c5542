// The command's effects: flags to options, the kubeconfig to a ClusterClient, the relay to a
// FlowSource, Ctrl-C to an abort. Kept out of cmd/ so the command module stays light.
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { ObserverClient } from '../api/grpc.ts';
import { buildInfo } from '../lib/build-info.ts';
import { UserError } from '../lib/errors.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { connectRelay, type RelayTarget } from '../lib/relay-connection.ts';
import { DEFAULT_IMAGE_REPOSITORY, DEFAULT_NAMESPACE, imageName } from '../api/kube-names.ts';
import { KubeClusterClient } from './adapters/kube-cluster-client.ts';
import { observerFlowSource } from './adapters/relay-flow-source.ts';
import { parseDuration } from './framework/duration.ts';
import { parseHostPort } from './probe/target.ts';
import { connectivityTest, listTests, type ConnectivityOptions } from './run.ts';
import { connectivityPerf } from './perf.ts';

export interface ConnectivityFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  output?: string | undefined;
  verbose: boolean;
  test: string[];
  list: boolean;
  'junit-file'?: string | undefined;
  timeout: string;
  'probe-timeout': string;
  cleanup: boolean;
  keep: boolean;
  image?: string | undefined;
  binary: string;
  'test-namespace': string;
  'external-target'?: string | undefined;
  'external-ip'?: string | undefined;
  'flow-validation': 'strict' | 'warning' | 'disabled';
  server?: string | undefined;
  'relay-namespace'?: string | undefined;
  'tls-dir'?: string | undefined;
  'tls-server-name'?: string | undefined;
}

function duration(flag: string, v: string): number {
  try {
    return parseDuration(v);
  } catch (err) {
    throw new UserError(`--${flag}: ${(err as Error).message}`);
  }
}

/** Flags to options: pure, so defaults and the outside target's forms are unit-tested. */
export function toOptions(f: ConnectivityFlags, version = buildInfo().version): ConnectivityOptions {
  let externalPort = 80;
  let externalIP = f['external-ip'];
  if (f['external-target']) {
    const hp = parseHostPort(f['external-target'], 80);
    externalPort = hp.port;
    if (!externalIP && net.isIP(hp.host)) externalIP = hp.host;
  }
  if (externalIP && !net.isIP(externalIP)) throw new UserError(`invalid --external-ip "${externalIP}": not an IP address`);
  return {
    namespace: f['test-namespace'],
    image: f.image ?? imageName({ repository: DEFAULT_IMAGE_REPOSITORY, tag: '', digest: '' }, version),
    binary: f.binary,
    tests: f.test,
    list: f.list,
    cleanup: f.cleanup,
    keep: f.keep,
    json: f.output === 'json',
    ...(f['junit-file'] ? { junitFile: f['junit-file'] } : {}),
    timeoutMs: duration('timeout', f.timeout),
    probeTimeoutMs: duration('probe-timeout', f['probe-timeout']),
    ...(f['external-target'] ? { externalTarget: f['external-target'] } : {}),
    ...(externalIP ? { externalIP } : {}),
    externalPort,
    flowValidation: f['flow-validation'],
    verbose: f.verbose,
    agentNamespace: f['relay-namespace'] ?? DEFAULT_NAMESPACE,
  };
}

export async function runConnectivityCommand(f: ConnectivityFlags): Promise<number> {
  const o = toOptions(f);
  if (o.list) {
    listTests(o, (s) => process.stdout.write(s));
    return 0;
  }
  const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
  const ac = new AbortController();
  const onSignal = () => {
    process.stderr.write('\ninterrupted: finishing the current probe and cleaning up (Ctrl-C again to quit now)\n');
    ac.abort();
    process.once('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  };
  process.once('SIGINT', onSignal);
  let relay: RelayTarget | undefined;
  let client: ObserverClient | undefined;
  try {
    return await connectivityTest(o, {
      cluster: new KubeClusterClient(kc),
      flows: async () => {
        relay = await connectRelay({ server: f.server, kc, namespace: f['relay-namespace'], tlsDir: f['tls-dir'], tlsServerName: f['tls-server-name'] });
        client = new ObserverClient(relay.address, relay.credentials, { ...relay.channelOptions, 'grpc.enable_retries': 0 });
        return observerFlowSource(client);
      },
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      tty: process.stdout.isTTY === true,
      signal: ac.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    client?.close();
    await relay?.close();
  }
}

export interface PerfFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  output?: string | undefined;
  duration: string;
  timeout: string;
  keep: boolean;
  image?: string | undefined;
  binary: string;
  'test-namespace': string;
}

export async function runPerfCommand(f: PerfFlags, version = buildInfo().version): Promise<number> {
  const kc = loadKubeConfig({ kubeconfig: f.kubeconfig, context: f.context });
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.once('SIGINT', onSignal);
  try {
    return await connectivityPerf(
      {
        namespace: f['test-namespace'],
        image: f.image ?? imageName({ repository: DEFAULT_IMAGE_REPOSITORY, tag: '', digest: '' }, version),
        binary: f.binary,
        durationMs: duration('duration', f.duration),
        timeoutMs: duration('timeout', f.timeout),
        keep: f.keep,
        json: f.output === 'json',
      },
      { cluster: new KubeClusterClient(kc), out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), signal: ac.signal },
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}
