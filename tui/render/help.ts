// The `?` screen, generated from the binding tables and the view registry.
import { FILTER_FLAGS } from '../../api/filter/cli-flags.ts';
import type { Binding } from '../model/keys.ts';
import { wrap } from './text.ts';

export interface HelpView { key: string; title: string; commands: readonly string[]; bindings: readonly Binding[] }

export function helpLines(globals: readonly Binding[], views: readonly HelpView[], active: string, width = 80): string[] {
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
  const flags = FILTER_FLAGS.map((f) => (f.alias ? `-${f.alias}/--${f.name}` : `--${f.name}`)).join(' ');
  out.push('', ...wrap('Filter bar (/) of the Flows view: the kubectl netobs observe flags, e.g. --verdict DROPPED --pod default/xwing:', width, 2),
    ...wrap(`  ${flags}`, width, 2), ...wrap('  A plain word matches pod names, IPs and DNS names. Other views: a plain text match.', width, 2));
  return out;
}
