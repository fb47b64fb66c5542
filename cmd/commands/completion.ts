import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../options.ts';
import { completionScript, SHELLS, type Shell } from '../completion-scripts.ts';

interface CompletionArgs extends GlobalArgs {
  shell: Shell;
}

export const completionCommand: CommandModule<GlobalArgs, CompletionArgs> = {
  command: 'completion <shell>',
  describe: 'Print a shell completion script (bash, zsh, fish)',
  builder: (y) =>
    y
      .positional('shell', { choices: SHELLS, describe: 'Shell to generate the script for', demandOption: true })
      .example('source <(kubectl netobs completion bash)', 'Complete in the current bash session')
      .example('kubectl netobs completion fish > ~/.config/fish/completions/kubectl-netobs.fish', 'Install for fish') as never,
  handler: (argv) => {
    process.stdout.write(completionScript(argv.shell));
  },
};
