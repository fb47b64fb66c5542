// Real kubectl as the lab tests run it: the test's kubeconfig and a discovery cache of the test's
// own (kubectl's default cache is shared by every test running at once, and by the user's).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Kubectl {
  /** stdout and stderr; rejects (with them) on a non-zero exit. */
  exec(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** stdout only. */
  out(...args: string[]): Promise<string>;
}

/** kubeconfig and dir are read per call: tests set them in `before`, after the module has loaded. */
export function kubectlFor(where: () => { kubeconfig: string; dir: string }, timeoutMs?: number): Kubectl {
  const exec = (...args: string[]) => {
    const { kubeconfig, dir } = where();
    return run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(dir, 'cache'), ...args], timeoutMs ? { timeout: timeoutMs } : {});
  };
  return { exec, out: async (...args) => (await exec(...args)).stdout };
}
