// Entry point of kubectl-netobs: the only place that ends the process.
import v8 from 'node:v8';
import { run } from './cli.ts';

function main(): void {
  // Invoked by a container runtime as a chained CNI plugin (the DaemonSet installs this binary
  // into the node's CNI bin dir): no CLI, the protocol is the environment and stdin.
  if (process.env['CNI_COMMAND']) {
    // Loaded on demand: the datapath loader's native part cannot be in the start-up snapshot.
    import('../agent/cni/run.ts').then(
      async ({ readStdin, runCni }) => runCni(process.env, await readStdin(), (s) => process.stdout.write(s)),
    ).then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', code: 5, msg: String(err) }) + '\n');
        process.exitCode = 1;
      },
    );
    return;
  }
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

// The single executable starts from a V8 startup snapshot taken after this module graph has
// loaded, so start-up skips compiling and initialising the CLI; it then calls main().
if (v8.startupSnapshot.isBuildingSnapshot()) v8.startupSnapshot.setDeserializeMainFunction(main);
else main();
