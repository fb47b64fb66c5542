import type { CommandModule } from 'yargs';
import { buildInfo } from '../../lib/build-info.ts';
import { checkOutput, type GlobalArgs } from '../options.ts';
import { stringify as toYaml } from 'yaml';

export const versionCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'version',
  describe: 'Print the plugin version, git commit and Node version',
  builder: (y) => y.check(checkOutput(['json', 'yaml'])),
  handler: (argv) => {
    const info = buildInfo();
    if (argv.output === 'json') process.stdout.write(JSON.stringify(info, null, 2) + '\n');
    else if (argv.output === 'yaml') process.stdout.write(toYaml(info));
    else process.stdout.write(`netobs ${info.version} (commit ${info.commit}, node ${info.node}, ${info.platform})\n`);
  },
};
