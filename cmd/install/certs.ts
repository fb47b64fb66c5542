// `kubectl netobs certs rotate`: flags to options, a line per Secret (or JSON).
import { DEFAULT_NAMESPACE } from '../../api/kube-names.ts';
import { loadKubeConfig } from '../../lib/kube.ts';
import { rotateCertificates } from '../../install/cluster/certs.ts';
import type { GlobalArgs } from '../options.ts';

export async function rotateCerts(f: GlobalArgs & { 'validity-days'?: number }): Promise<void> {
  const kc = loadKubeConfig(f);
  const r = await rotateCertificates(kc, { namespace: f.namespace ?? DEFAULT_NAMESPACE, ...(f['validity-days'] ? { validityDays: f['validity-days'] } : {}) });
  if (f.output === 'json') {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return;
  }
  for (const s of r.rotated) process.stdout.write(`rotated Secret ${r.namespace}/${s.secret} (valid until ${s.notAfter})\n`);
  process.stdout.write('agents and relay use the new certificates within a minute (kubelet volume sync, then a 10 s reload); open streams are kept\n');
}
