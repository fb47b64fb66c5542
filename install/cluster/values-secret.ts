// The cluster side of the stored values: read the Secret the last install left, and the diff a
// re-run prints against what that install rendered (with the same TLS material, so only real
// changes show).
import type { V1Secret } from '@kubernetes/client-node';
import { NAMES } from '../../api/kube-names.ts';
import type { Objects } from '../../lib/kube-apply.ts';
import type { InstallPlan } from '../plan.ts';
import { renderManifests } from '../render/index.ts';
import { defaultValues } from '../values.ts';
import { validateValues } from '../values-validate.ts';
import { diffObjects, diffValues, formatDiff, readStoredValues, storedValuesSecret, type StoredValues } from '../values-stored.ts';

export async function loadStoredValues(objs: Objects, namespace: string): Promise<StoredValues | undefined> {
  const s = await objs.get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: NAMES.installValues, namespace } });
  return s ? readStoredValues(s as never) : undefined;
}

/** The plan with the Secret that records its values, applied last so it names what was applied. */
export function withStoredValues(plan: InstallPlan, buildVersion: string): InstallPlan {
  return { ...plan, objects: [...plan.objects, storedValuesSecret(plan.values, defaultValues(buildVersion))] };
}

/** Lines saying what changes from the last install: values, then rendered objects (field paths only). */
export function describeChanges(stored: StoredValues, plan: InstallPlan): string[] {
  const values = diffValues(stored.values, plan.values);
  let before;
  try {
    const version = typeof stored.values.version === 'string' ? stored.values.version : plan.values.version;
    before = renderManifests({ values: validateValues(stored.values, defaultValues(version)), ...(plan.tls ? { tls: plan.tls } : {}) });
  } catch (err) {
    // Values of another release may not fit this one's schema: the value diff still says what moves.
    return [...formatDiff(values, []).filter((l) => !l.startsWith('objects')), `objects: not compared (${(err as Error).message})`];
  }
  return formatDiff(values, diffObjects(before, plan.objects));
}
