import test from 'ava';
import { buildParser, run, type Io } from '../../cmd/cli.ts';

function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (s: string) => {
      io.stdout += s;
    },
    err: (s: string) => {
      io.stderr += s;
    },
  };
  return io;
}

test('global kubectl flags parse before and after the command', async (t) => {
  const orig = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const argv = await buildParser(['--kubeconfig', '/tmp/kc', 'version', '-n', 'kube-system', '--context=lab', '-o', 'json'])
    .exitProcess(false)
    .parseAsync()
    .finally(() => {
      process.stdout.write = orig;
    });
  t.is(argv.kubeconfig, '/tmp/kc');
  t.is(argv.namespace, 'kube-system');
  t.is(argv.context, 'lab');
  t.is(argv.output, 'json');
  t.false(argv.verbose);
});

const rejects = test.macro(async (t, args: string[], expected: RegExp) => {
  const io = capture();
  const code = await run(args, io);
  t.not(code, 0);
  const lines = io.stderr.trim().split('\n');
  t.regex(lines[0] ?? '', expected);
  t.true(lines.length <= 2, 'short form is at most an error line and a hint');
});

test('unknown command', rejects, ['frobnicate'], /^error: Unknown argument: frobnicate/);
test('unknown flag', rejects, ['version', '--bogus'], /^error: Unknown argument: bogus/);
test('no command', rejects, [], /^error: a command is required/);
test('unsupported output format names the allowed ones', rejects, ['version', '-o', 'xml'], /invalid --output "xml": use one of json, yaml/);
test('lab status takes --name and names a lab that is not there', rejects, ['lab', 'status', '--name', 'ln-nolab'], /^error: lab status: no lab named "ln-nolab" \(start one with: sudo kubectl netobs lab up --name ln-nolab\)/);
test('unknown completion shell', rejects, ['completion', 'tcsh'], /^error: Invalid values: Argument: shell, Given: "tcsh"/);

test('help lists the user commands and hides the roles', async (t) => {
  const out: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  // yargs prints help through console.log; capture it for this call only.
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  try {
    t.is(await run(['--help'], capture()), 0);
  } finally {
    console.log = log;
    process.stdout.write = orig;
  }
  const help = out.join('\n');
  t.regex(help, /kubectl netobs version/);
  t.regex(help, /kubectl netobs completion/);
  t.regex(help, /--kubeconfig/);
  t.notRegex(help, /kubectl netobs (echo|sleep)\b/);
});

test('version -o json has version, commit and node', async (t) => {
  let written = '';
  const orig = process.stdout.write;
  process.stdout.write = ((s: string) => {
    written += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    t.is(await run(['version', '-o', 'json'], capture()), 0);
  } finally {
    process.stdout.write = orig;
  }
  const info = JSON.parse(written) as Record<string, string>;
  t.truthy(info.version);
  t.truthy(info.commit);
  t.is(info.node, process.version);
});
