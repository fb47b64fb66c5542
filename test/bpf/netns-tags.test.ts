// Test files that build network namespaces run two at a time (ava concurrency 2): two files with
// the same tag delete each other's namespaces and veths mid-run (netobs-rst-0 was both
// test/bpf/restart's and test/agent/runtime/policy's), and two PodNets with the same subnet put
// the same gateway address on two bridges. Every tag and subnet is checked here to be unique.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const CALL = /\b(makeTopology|new PodNet)\(\s*'([^']+)'\s*,\s*(\d+)/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : files(p);
    return /\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

test('every netns topology in the tests has its own tag and subnet', (t) => {
  const tags = new Map<string, string>();
  const subnets = new Map<string, string>();
  for (const f of files(root)) {
    const rel = path.relative(root, f);
    for (const m of readFileSync(f, 'utf8').matchAll(CALL)) {
      const [, , tag, subnet] = m as unknown as [string, string, string, string];
      // Interface names are h-<tag>-<i>, p-<tag>-<i>, nb-<tag>: at most 15 bytes (IFNAMSIZ - 1).
      t.true(`nb-${tag}`.length <= 15 && `h-${tag}-7`.length <= 15, `${rel}: tag ${tag} makes interface names over 15 bytes`);
      t.is(tags.get(tag) ?? rel, rel, `tag ${tag} used by ${tags.get(tag)} and ${rel}`);
      t.is(subnets.get(subnet) ?? rel, rel, `subnet 10.${subnet}.0.0/24 used by ${subnets.get(subnet)} and ${rel}`);
      tags.set(tag, rel);
      subnets.set(subnet, rel);
    }
  }
  t.true(tags.size >= 8, `found only ${tags.size} topologies: the pattern no longer matches the helpers`);
});
