// Entry point of kubectl-netobs: the only place that ends the process.
import v8 from 'node:v8';
import { run } from './cli.ts';

function main(): void {
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
