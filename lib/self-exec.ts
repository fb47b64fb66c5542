// How to start this same program again (for daemons, pod containers and agents run by the lab):
// the single executable is its own argv[0]; from a source checkout it is node + tsx + cmd/main.ts.
import path from 'node:path';
import { createRequire } from 'node:module';
import { isSingleExecutable, repoRoot } from './assets.ts';

export interface SelfCommand {
  file: string;
  args: string[];
}

export function selfCommand(args: string[]): SelfCommand {
  if (isSingleExecutable()) return { file: process.execPath, args };
  const root = repoRoot();
  const req = createRequire(path.join(root, 'package.json'));
  const tsxLoader = req.resolve('tsx');
  return { file: process.execPath, args: ['--import', tsxLoader, path.join(root, 'cmd', 'main.ts'), ...args] };
}
