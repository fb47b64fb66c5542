// Shared inputs for the render tests: values from the real loader and TLS material generated
// once per test file (key generation is the slow part).
import { resolveValues, type ValuesInput } from '../../../install/values-load.ts';
import { generateTlsMaterial, type TlsMaterial } from '../../../install/tls-material.ts';
import { renderManifests, type KubeObject } from '../../../install/render/index.ts';

let material: TlsMaterial | undefined;

export function tls(): TlsMaterial {
  material ??= generateTlsMaterial({ clusterName: 'default', validityDays: 30 });
  return material;
}

export function render(input: Omit<ValuesInput, 'buildVersion'> = {}): KubeObject[] {
  return renderManifests({ values: resolveValues({ buildVersion: '0.1.0', ...input }), tls: tls() });
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
}

/** A path into an object, for tests that read deep fields without casting at every step. */
export function at(o: unknown, ...path: (string | number)[]): unknown {
  let cur = o;
  for (const p of path) cur = (cur as Record<string | number, unknown> | undefined)?.[p];
  return cur;
}
