// Multi-document YAML for `install --dry-run -o yaml`: one document per object, in apply order,
// no line folding (so dashboards and certificates stay byte-exact), stable key order as rendered.
import { stringify } from 'yaml';
import type { KubeObject } from './render/meta.ts';

export function toYamlDocuments(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, minContentWidth: 0 })}`).join('');
}
