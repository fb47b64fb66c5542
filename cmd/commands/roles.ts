// Role entry points for the pods the netobs image runs. Hidden from --help: users do not type them.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../options.ts';

interface EchoArgs extends GlobalArgs {
  port: number;
}

export const echoRole: CommandModule<GlobalArgs, EchoArgs> = {
  command: 'echo',
  describe: false,
  builder: (y) => y.option('port', { type: 'number', default: 8080, describe: 'TCP (HTTP) and UDP port to serve' }),
  handler: async (argv) => {
    const { startEcho } = await import('../../roles/echo-server.ts');
    const { untilSignal } = await import('../../roles/until-signal.ts');
    const server = await startEcho({ port: argv.port });
    process.stderr.write(`echo: serving HTTP and UDP on port ${server.port}\n`);
    await untilSignal();
    await server.close();
  },
};

export const sleepRole: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'sleep',
  describe: false,
  handler: async () => {
    const { untilSignal } = await import('../../roles/until-signal.ts');
    // A pending timer keeps the event loop alive; the signal ends it.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await untilSignal();
    clearInterval(keepAlive);
  },
};
