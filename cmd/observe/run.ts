// `kubectl netobs observe`: stream GetFlows from the relay and print it the way hubble does.
import * as grpc from '@grpc/grpc-js';
import { ObserverClient } from '../../api/grpc.ts';
import { FlowPrinter, type OutputFormat } from '../../api/print/printer.ts';
import type { GetFlowsResponse } from '../../api/types.ts';
import { UserError } from '../../lib/errors.ts';
import { loadKubeConfig } from '../../lib/kube.ts';
import { connectRelay } from '../../lib/relay-connection.ts';
import { buildRequest, type SelectorFlags } from './request.ts';
import type { GlobalArgs } from '../options.ts';
import { relayConnectOptions } from '../relay-api.ts';

export interface ObserveFlags extends GlobalArgs, SelectorFlags {
  server?: string;
  'relay-namespace'?: string;
  'tls-dir'?: string;
  'tls-server-name'?: string;
  color: string;
  'print-node-name': boolean;
  utc: boolean;
  'print-policy-names'?: boolean;
  'time-format'?: string;
  numeric?: boolean;
  'input-file'?: string;
}

export function wantColor(mode: string, isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return isTty && env.NO_COLOR === undefined;
}

export function grpcError(err: unknown, where: string): UserError {
  const e = err as grpc.ServiceError;
  if (e?.code === grpc.status.UNAVAILABLE) return new UserError(`observe: ${where} is unavailable (${e.details}): is the relay running? check 'kubectl netobs status'`, { cause: err });
  if (e?.code === grpc.status.DEADLINE_EXCEEDED) return new UserError(`observe: ${where} did not answer in time`, { cause: err });
  return new UserError(`observe: ${where}: ${e?.details ?? e?.message ?? String(err)}`, { cause: err });
}

export async function observe(f: ObserveFlags): Promise<void> {
  const format = (f.output ?? 'compact') as OutputFormat;
  if (format === 'table' && f.follow) throw new UserError('observe: -o table cannot be used with --follow (use compact or json)');
  const req = buildRequest(f, f.$raw ?? []);
  const printer = new FlowPrinter(format, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }, {
    nodeName: f['print-node-name'],
    color: wantColor(f.color, process.stdout.isTTY === true, process.env),
    utc: f.utc,
    policyNames: f['print-policy-names'] ?? false,
    ...(f['time-format'] ? { timeFormat: f['time-format'] } : {}),
    ipTranslation: !f.numeric,
  });
  if (f['input-file'] !== undefined) {
    const { observeFile } = await import('./input-file.ts');
    await observeFile(f['input-file'], req, (res) => printer.write(res));
    printer.close();
    return;
  }
  const kc = f.server ? undefined : loadKubeConfig(f);
  const target = await connectRelay(relayConnectOptions(f, kc));
  const client = new ObserverClient(target.address, target.credentials, { ...target.channelOptions, 'grpc.enable_retries': 0 });
  const call = client.getFlows(req);
  const stop = () => call.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await new Promise<void>((resolve, reject) => {
      call.on('data', (res: GetFlowsResponse) => printer.write(res));
      call.on('end', () => resolve());
      call.on('error', (err: grpc.ServiceError) => (err.code === grpc.status.CANCELLED ? resolve() : reject(grpcError(err, target.description))));
    });
    printer.close();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    client.close();
    await target.close();
  }
}
