// The `probe` role: what `connectivity test` runs inside test pods (through pods/exec) to make
// real TCP, UDP, ICMP, HTTP and DNS traffic from the pod's network namespace, printing one JSON
// result. `probe dns-server` is the DNS responder beside the echo server. Hidden from --help.
import type { CommandModule } from 'yargs';
import { checkOutput, type GlobalArgs } from '../options.ts';
import { UserError } from '../../lib/errors.ts';

const KINDS = ['tcp', 'udp', 'icmp', 'http', 'dns', 'dns-server', 'perf'] as const;

interface ProbeArgs extends GlobalArgs {
  kind: (typeof KINDS)[number];
  target?: string;
  timeout: string;
  method?: string;
  path?: string;
  body: boolean;
  server?: string;
  qtype: 'A' | 'AAAA';
  port: number;
  zone?: string;
  duration: string;
}

export const probeCommand: CommandModule<GlobalArgs, ProbeArgs> = {
  command: 'probe <kind>',
  describe: false,
  builder: (y) =>
    y
      .positional('kind', { choices: KINDS, demandOption: true, describe: 'What to probe, or dns-server to answer DNS for the test zone' })
      .option('target', { type: 'string', describe: 'host:port (tcp, udp, http), host (icmp) or the name to resolve (dns)' })
      .option('timeout', { type: 'string', default: '2s', describe: 'Give up after this long (e.g. 500ms, 2s)' })
      .option('method', { type: 'string', describe: 'HTTP method (http)' })
      .option('path', { type: 'string', describe: 'HTTP path (http)' })
      .option('body', { type: 'boolean', default: false, describe: 'Include the response body in the result (http)' })
      .option('server', { type: 'string', describe: 'DNS server ip[:port] (dns; default: the first nameserver of /etc/resolv.conf)' })
      .option('qtype', { choices: ['A', 'AAAA'] as const, default: 'A' as const, describe: 'DNS query type (dns)' })
      .option('port', { type: 'number', default: 53, describe: 'UDP port to answer on (dns-server)' })
      .option('zone', { type: 'string', describe: 'Zone to answer for (dns-server; default netobs.test)' })
      .option('duration', { type: 'string', default: '5s', describe: 'How long to measure throughput, then latency, against an echo pod (perf)' })
      .check(checkOutput(['json'])),
  handler: async (argv) => {
    if (argv.kind === 'dns-server') {
      const { startDnsServer } = await import('../../connectivity/probe/dns-server.ts');
      const { untilSignal } = await import('../../roles/until-signal.ts');
      const server = await startDnsServer({ port: argv.port, ...(argv.zone ? { zone: argv.zone } : {}) });
      process.stderr.write(`dns-server: answering on UDP port ${server.port}\n`);
      await untilSignal();
      await server.close();
      return;
    }
    if (!argv.target) throw new UserError(`probe ${argv.kind}: --target is required`);
    const { parseDuration } = await import('../../connectivity/framework/duration.ts');
    if (argv.kind === 'perf') {
      const { probePerf } = await import('../../connectivity/probe/perf.ts');
      let ms: number;
      try {
        ms = parseDuration(argv.duration);
      } catch (err) {
        throw new UserError(`probe perf: --duration: ${(err as Error).message}`);
      }
      const r = await probePerf(argv.target, ms);
      process.stdout.write(JSON.stringify(r) + '\n');
      if (!r.ok) throw new UserError(`probe perf ${r.target}: ${r.error}`, { exitCode: 1 });
      return;
    }
    const { runProbe, probeLine } = await import('../../connectivity/probe/run.ts');
    let timeoutMs: number;
    try {
      timeoutMs = parseDuration(argv.timeout);
    } catch (err) {
      throw new UserError(`probe: ${(err as Error).message}`);
    }
    const result = await runProbe({
      kind: argv.kind as Exclude<typeof argv.kind, 'perf' | 'dns-server'>, target: argv.target, timeoutMs, qtype: argv.qtype,
      ...(argv.method ? { method: argv.method } : {}), ...(argv.path ? { path: argv.path } : {}), ...(argv.body ? { body: true } : {}), ...(argv.server ? { server: argv.server } : {}),
    });
    process.stdout.write(argv.output === 'json' ? JSON.stringify(result) + '\n' : probeLine(result) + '\n');
    if (!result.ok) throw new UserError(`probe ${result.kind} ${result.target}: ${result.error ?? result.errorCode}`, { exitCode: 1 });
  },
};
