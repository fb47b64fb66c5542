// The `?` screen, generated from the binding tables and the view registry.
import type { Binding } from '../model/keys.ts';

export interface HelpView { key: string; title: string; commands: readonly string[]; bindings: readonly Binding[] }

export function helpLines(globals: readonly Binding[], views: readonly HelpView[], active: string): string[] {
  const line = (keys: string, description: string) => `  ${keys.padEnd(14)} ${description}`;
  const out = ['Views'];
  for (const v of views) out.push(line(`${v.key}  :${v.commands[0]}`, v.title));
  out.push('', 'Keys');
  for (const b of globals) out.push(line(b.keys.join(' '), b.description));
  const own = views.find((v) => v.title === active);
  if (own?.bindings.length) {
    out.push('', `${own.title} view`);
    for (const b of own.bindings) out.push(line(b.keys.join(' '), b.description));
  }
  out.push('', 'Filter bar of the Flows view: hubble observe flags, e.g. --verdict DROPPED --pod default/xwing',
    '  --from-pod --to-pod -n -l --ip --fqdn --service --port --protocol -t --http-status --http-method',
    '  --http-path --identity --traffic-direction --node-name --tcp-flags --workload --not; a plain word',
    '  matches pod names, IPs and DNS names. Other views: a plain text match.');
  return out;
}
