// Policies to per-endpoint policy map entries, enforcement flags, the CIDR identities the ipcache
// needs, and the L7 ports to parse for visibility. Pure: the same input gives the same output.
// The agent keeps a PolicyCompiler (incremental.ts) instead, which returns diffs per change;
// this function is the same computation from scratch.
import type { ClusterView } from './contributions.ts';
import { PolicyCompiler, type CompileOptions, type CompileResult } from './incremental.ts';
import type { ParsedPolicy } from './types.ts';

export type { ClusterView } from './contributions.ts';
export type { CompileDelta, CompileOptions, CompileResult, DnsDecision, L7Decision } from './incremental.ts';
export { PolicyCompiler } from './incremental.ts';

export interface CompileInput extends ClusterView {
  readonly policies: readonly ParsedPolicy[];
}

export function compilePolicies(input: CompileInput, opts: CompileOptions = {}): CompileResult {
  const c = new PolicyCompiler(input, opts);
  c.load(input.policies);
  return c.result();
}
