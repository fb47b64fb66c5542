// The layering of ARCHITECTURE.md, one rule per forbidden arrow; `npm run lint:deps` (run by
// scripts/test.sh, so by .ci/run) fails on any violation.
const forbid = (name, from, to, comment) => ({ name, comment, severity: 'error', from: { path: from }, to: to });
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid('tui-not-agent', '^tui/', { path: '^agent/' }, 'the TUI reads the agent only through api/ (flow and status APIs)'),
    forbid('tui-not-bpf', '^tui/', { path: '^bpf/' }, 'the TUI knows the datapath only through api/'),
    forbid('relay-not-agent', '^relay/', { path: '^agent/' }, 'the relay speaks to agents over api/, it shares no agent code'),
    forbid('agent-not-lab', '^agent/', { path: '^lab/' }, 'the agent runs on real clusters; the lab is only its test bed'),
    forbid('agent-not-install', '^agent/', { path: '^install/' }, 'what install and agent share lives in api/'),
    forbid('install-not-cmd', '^install/', { path: '^cmd/' }, 'cmd/ drives install, not the other way'),
    forbid('install-not-agent', '^install/', { path: '^agent/' }, 'what install and agent share lives in api/'),
    forbid('connectivity-not-install', '^connectivity/', { path: '^install/' }, 'shared Kubernetes helpers are in lib/, the image contract in api/'),
    forbid('api-depends-on-nothing', '^api/', { path: '^(?!api/)', pathNot: '^node_modules/', dependencyTypesNot: ['core'] }, 'api/ is the floor of contracts'),
    forbid('lib-only-api', '^lib/', { path: '^(?!lib/|api/)', pathNot: '^node_modules/', dependencyTypesNot: ['core'] }, 'lib/ is the ground floor: it may use api/ only'),
    forbid('bpf-not-lab', '^bpf/', { path: '^lab/' }, 'the datapath does not know the lab'),
    forbid('agent-bpf-via-loader-index', '^agent/', { path: '^bpf/', pathNot: '^bpf/loader/index\\.ts$' }, 'the agent reaches the kernel only through bpf/loader/index.ts'),
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|build)/' },
    // typescript 7 has no JS API for dependency-cruiser yet: swc parses the TypeScript sources.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'], conditionNames: ['import', 'require', 'node', 'default'], exportsFields: ['exports'], mainFields: ['module', 'main', 'types'] },
  },
};
