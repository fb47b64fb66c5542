// The network namespace of a lab pod, found by its address (lab pods live in
// `netobs-<lab>-pod-…` namespaces), for probes sent from inside the pod.
import { execFileSync } from 'node:child_process';

export function podNetns(lab: string, ip: string): string {
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0] ?? '');
  for (const ns of names.filter((n) => n.startsWith(`netobs-${lab}-pod-`))) {
    try {
      if (execFileSync('ip', ['-n', ns, '-j', 'addr', 'show'], { encoding: 'utf8' }).includes(`"local":"${ip}"`)) return ns;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no network namespace holds ${ip}`);
}
