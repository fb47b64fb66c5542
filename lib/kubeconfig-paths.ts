// Where kubectl looks for kubeconfig files, per platform, as a pure function of the environment
// (client-go's rules): KUBECONFIG is a list separated by ';' on Windows and ':' elsewhere; without
// it, <home>/.kube/config, where home on Windows is the first of %HOME%, %HOMEDRIVE%%HOMEPATH% and
// %USERPROFILE% that holds a .kube\config (else %USERPROFILE%), and $HOME elsewhere.
import path from 'node:path';

export interface KubeconfigLookup {
  /** The files named by KUBECONFIG, in order; empty when it is unset or blank. */
  fromEnv: string[];
  /** The default file when KUBECONFIG names none. */
  home: string;
}

export function kubeconfigPaths(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  exists: (file: string) => boolean,
  homedir: string,
): KubeconfigLookup {
  const win = platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const fromEnv = (env.KUBECONFIG ?? '').split(win ? ';' : ':').map((s) => s.trim()).filter(Boolean);
  if (!win) return { fromEnv, home: p.join(env.HOME || homedir, '.kube', 'config') };
  const drivePath = env.HOMEDRIVE && env.HOMEPATH ? p.join(env.HOMEDRIVE, env.HOMEPATH) : '';
  const candidates = [env.HOME, drivePath, env.USERPROFILE].filter((d): d is string => !!d);
  const withConfig = candidates.find((d) => exists(p.join(d, '.kube', 'config')));
  return { fromEnv, home: p.join(withConfig ?? env.USERPROFILE ?? homedir, '.kube', 'config') };
}
