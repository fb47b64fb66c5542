// Install's flags as the planner's options, shared by `install --dry-run`, install and uninstall.
import { buildInfo } from '../../lib/build-info.ts';
import { UserError } from '../../lib/errors.ts';
import { ValuesError } from '../../install/values-validate.ts';
import type { InstallOptions } from '../../install/plan.ts';
import type { GlobalArgs } from '../options.ts';

export interface InstallFlags extends GlobalArgs {
  set?: string[];
  values?: string[];
  image?: string;
  version?: string;
  /** Start from the defaults instead of the values the last install stored in the cluster. */
  'reset-values'?: boolean;
  wait: boolean;
  timeout: string;
}

export function valuesOptions(f: Pick<InstallFlags, 'set' | 'values' | 'image' | 'version' | 'namespace'>): InstallOptions {
  return {
    buildVersion: buildInfo().version,
    valuesFiles: f.values ?? [],
    sets: f.set ?? [],
    ...(f.image !== undefined ? { image: f.image } : {}),
    ...(f.version !== undefined ? { version: f.version } : {}),
    ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
  };
}

/** Bad values are the user's to fix: one line naming the command and the key. */
export function valuesFailure(what: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof ValuesError) throw new UserError(`${what}: ${err.message}`, { cause: err });
    throw err;
  };
}

export function wrapValues<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    return valuesFailure(what)(err);
  }
}
