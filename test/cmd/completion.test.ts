import test from 'ava';
import { completionScript, SHELLS } from '../../cmd/completion-scripts.ts';

for (const shell of SHELLS) {
  test(`${shell} script asks the binary for completions`, (t) => {
    const s = completionScript(shell);
    t.regex(s, /kubectl-netobs --get-yargs-completions/);
  });
}
