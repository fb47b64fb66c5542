// runUi end to end against a fake terminal (Ink's real renderer, not the test renderer).
import test from 'ava';
import { runUi } from '../../tui/app.tsx';
import { FakeStdin, FakeStdout } from '../../tui/testing/fake-terminal.ts';
import { ManualSource } from './manual-source.ts';
import { drop, forwarded } from './fixtures.ts';


function start(opts: { env?: NodeJS.ProcessEnv; isTTY?: boolean } = {}) {
  const stdout = new FakeStdout(80, 24, { isTTY: opts.isTTY ?? false });
  const stdin = new FakeStdin();
  const source = new ManualSource();
  let output = '';
  stdout.onWrite((c) => { output += c; });
  const done = runUi(source, {
    context: 'kind-lab', stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, env: opts.env ?? {},
  });
  const waitFor = async (re: RegExp) => {
    const end = Date.now() + 10_000;
    // Colour codes sit between cells: match the text.
    while (!re.test(output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output tail:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { stdout, stdin, source, done, waitFor, output: () => output };
}

test('q quits: runUi resolves and the flow subscription is closed', async (t) => {
  const ui = start();
  await ui.waitFor(/waiting for flows/);
  ui.source.push(forwarded);
  await ui.waitFor(/FORWARDED/);
  ui.stdin.write('q');
  await ui.done;
  t.is(ui.source.closed, 1);
  t.is(ui.source.listeners.size, 0);
});

test('ctrl-c quits', async (t) => {
  const ui = start();
  await ui.waitFor(/waiting for flows/);
  ui.stdin.write('\x03');
  await ui.done;
  t.is(ui.source.closed, 1);
});

test('on a terminal it uses the alternate screen and gives the screen back on exit', async (t) => {
  const ui = start({ isTTY: true });
  await ui.waitFor(/waiting for flows/);
  t.true(ui.output().startsWith('\x1b[?1049h'));
  ui.stdin.write('q');
  await ui.done;
  t.true(ui.output().endsWith('\x1b[?1049l'));
});

test('verdicts are coloured on a terminal, and not with NO_COLOR', async (t) => {
  const colour = /\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7])m/;
  const coloured = start({ isTTY: true });
  await coloured.waitFor(/waiting for flows/);
  coloured.source.push(drop, forwarded);
  await coloured.waitFor(/DROPPED/);
  t.regex(coloured.output(), colour);
  coloured.stdin.write('q');
  await coloured.done;

  const plain = start({ env: { NO_COLOR: '1' }, isTTY: true });
  await plain.waitFor(/waiting for flows/);
  plain.source.push(drop, forwarded);
  await plain.waitFor(/DROPPED/);
  t.notRegex(plain.output(), colour);
  plain.stdin.write('q');
  await plain.done;
});

test('the terminal size is followed on resize', async (t) => {
  const ui = start();
  await ui.waitFor(/waiting for flows/);
  ui.source.push(drop);
  await ui.waitFor(/\d\d:\d\d:\d\d default\/xwing/);
  ui.stdout.resize(200, 50);
  await ui.waitFor(/\d\d:\d\d:\d\d\.567 default\/xwing:49610 +default\/deathstar-6f87496d59-abcde:80/);
  ui.stdin.write('q');
  await ui.done;
  t.pass();
});
