// What an install will create: the resolved values and the rendered objects. Shared by
// `install --dry-run` (prints them) and the apply path (applies them, then waits). Reads the
// `-f` files and generates TLS material unless the caller passes the material already in the cluster.
import type { KubeObject } from './render/meta.ts';
import { renderManifests } from './render/index.ts';
import { generateTlsMaterial, type TlsMaterial } from './tls-material.ts';
import { readValuesFile, resolveValues } from './values-load.ts';
import type { Values } from './values.ts';

export interface InstallOptions {
  buildVersion: string;
  /** The user's values of the last install, reused under the files and --set (values-stored.ts). */
  reused?: Record<string, unknown>;
  valuesFiles?: string[];
  sets?: string[];
  image?: string;
  version?: string;
  namespace?: string;
  /** Material found in the cluster and still good (tlsMaterialProblems empty): reusing it keeps re-installs a no-op. */
  tls?: TlsMaterial;
}

export interface InstallPlan {
  values: Values;
  objects: KubeObject[];
  tls: TlsMaterial | undefined;
}

/** The values an install would use (throws ValuesError), without generating TLS material. */
export function installValues(o: InstallOptions): Values {
  return resolveValues({
    buildVersion: o.buildVersion,
    ...(o.reused ? { reused: o.reused } : {}),
    files: (o.valuesFiles ?? []).map(readValuesFile),
    ...(o.sets ? { sets: o.sets } : {}),
    ...(o.image !== undefined ? { image: o.image } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
  });
}

export function planInstall(o: InstallOptions, values = installValues(o)): InstallPlan {
  const tls = values.tls.enabled ? (o.tls ?? generateTlsMaterial({ clusterName: values.clusterName, validityDays: values.tls.validityDays })) : undefined;
  return { values, objects: renderManifests({ values, ...(tls ? { tls } : {}) }), tls };
}
