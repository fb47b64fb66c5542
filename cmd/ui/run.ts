// `kubectl netobs ui`: connect to the relay, then hand the terminal to the Ink application.
import { UserError } from '../../lib/errors.ts';
import { RelayApi, type RelayFlags } from '../relay-api.ts';
import { RelaySource } from './relay-source.ts';

export async function runUiCommand(f: RelayFlags): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new UserError('ui: needs a terminal (stdin and stdout); use `kubectl netobs observe` in scripts');
  const api = await RelayApi.connect(f);
  try {
    // Fail before taking over the screen when the relay cannot answer at all.
    await api.observer.serverStatus({ deadline: Date.now() + 10_000 }).catch((err: { details?: string; message?: string }) => {
      throw new UserError(`ui: ${api.target.description} does not answer (${err.details ?? err.message}): check 'kubectl netobs status'`);
    });
    const { runUi } = await import('../../tui/app.tsx');
    await runUi(new RelaySource(api), { context: api.context });
  } finally {
    await api.close();
  }
}
