// The netobs CustomResourceDefinitions (group netobs.io, version v1alpha1). Pure data: rendering adds
// the install's labels; the lab's API server serves the same objects, so both validate alike.
import type { CustomResourceDefinition, JSONSchemaProps } from '../../lib/openapi-schema/types.ts';
import { bool, conditions, GROUP, int, list, obj, str, stringMap, VERSION } from './common.ts';
import { ruleSchema } from './policy-rule.ts';

type Column = NonNullable<CustomResourceDefinition['spec']['versions'][number]['additionalPrinterColumns']>[number];

const AGE: Column = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function crd(
  kind: string,
  plural: string,
  scope: 'Namespaced' | 'Cluster',
  shortNames: string[],
  schema: JSONSchemaProps,
  columns: Column[],
  status: boolean,
): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: ['netobs'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          ...(status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: [...columns, AGE],
        },
      ],
    },
  };
}

const root = (description: string, properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps =>
  obj({ apiVersion: str(), kind: str(), metadata: { type: 'object' }, ...properties }, description, extra);

const policyStatus = obj(
  {
    observedGeneration: int('The generation the agents last validated.', { format: 'int64' }),
    conditions,
  },
  'Set by the agents: condition Valid tells whether the policy was accepted, and why not.',
);

const policyRoot = (what: string): JSONSchemaProps =>
  root(
    `${what}. The spec has the shape of CiliumNetworkPolicy: a Cilium policy moves by changing apiVersion and kind.`,
    {
      spec: ruleSchema('One rule.'),
      specs: list(ruleSchema('One of several rules.'), 'Several rules, for policies that need more than one selector.'),
      status: policyStatus,
    },
    // Either one rule or a list of rules; the agent refuses an object with neither.
    { anyOf: [{ required: ['spec'] }, { required: ['specs'] }] },
  );

const VALID: Column = { name: 'Valid', type: 'string', jsonPath: '.status.conditions[?(@.type=="Valid")].status' };
const DESCRIPTION: Column = { name: 'Description', type: 'string', jsonPath: '.spec.description', priority: 1 };

export const networkPolicyCrd = (): CustomResourceDefinition =>
  crd('NetworkPolicy', 'networkpolicies', 'Namespaced', ['netobsnp'], policyRoot('A namespaced netobs policy: selectors match pods in its namespace'), [VALID, DESCRIPTION], true);

export const clusterwideNetworkPolicyCrd = (): CustomResourceDefinition =>
  crd('ClusterwideNetworkPolicy', 'clusterwidenetworkpolicies', 'Cluster', ['netobsccnp'], policyRoot('A cluster-wide netobs policy: selectors match pods in every namespace, and nodes'), [VALID, DESCRIPTION], true);

export const identityCrd = (): CustomResourceDefinition =>
  crd(
    'NetobsIdentity',
    'netobsidentities',
    'Cluster',
    ['netobsid'],
    root(
      'A security identity: the numeric ID (the object name) every agent uses for one set of security-relevant labels.',
      {
        metadata: obj({ name: str('The numeric identity, 256 or more.', { pattern: '^[1-9][0-9]{2,9}$' }) }),
        securityLabels: stringMap('The labels the identity stands for, with their source prefix (k8s:app=web, k8s:io.kubernetes.pod.namespace=shop).'),
      },
      { required: ['securityLabels'] },
    ),
    [{ name: 'Namespace', type: 'string', jsonPath: '.securityLabels.k8s:io\\.kubernetes\\.pod\\.namespace' }],
    false,
  );

export const nodeCrd = (): CustomResourceDefinition =>
  crd(
    'NetobsNode',
    'netobsnodes',
    'Cluster',
    ['netobsnd'],
    root('The netobs agent of one node and its health, written by that agent; `kubectl netobs status` reads these.', {
      status: obj({
        agentVersion: str('Version of the agent.'),
        kernelVersion: str('Kernel release of the node.'),
        lastHeartbeatTime: str('Last time the agent wrote its status.', { format: 'date-time' }),
        datapath: obj({
          attached: bool('Programs are attached to every local pod.'),
          programs: int('Number of BPF programs attached.', { minimum: 0 }),
          bpffsRoot: str('Where maps and programs are pinned.'),
          features: { type: 'object', description: 'Kernel BPF features probed at start-up.', additionalProperties: { type: 'boolean' } },
        }),
        endpoints: int('Local pods managed by netobs.', { minimum: 0 }),
        unmanagedPods: list(str(), 'Local pods (namespace/name) not managed by netobs, at most 100.', { maxItems: 100 }),
        unmanagedPodCount: int('All local pods not managed by netobs.', { minimum: 0 }),
        flows: obj({ numFlows: int(), maxFlows: int(), seenFlows: int() }),
        lostEvents: int('Events lost since start-up.', { minimum: 0 }),
        errors: list(str(), 'Current errors.', { maxItems: 50 }),
        warnings: list(str(), 'Current warnings.', { maxItems: 50 }),
        conditions,
      }),
    }),
    [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Endpoints', type: 'integer', jsonPath: '.status.endpoints' },
      { name: 'Unmanaged', type: 'integer', jsonPath: '.status.unmanagedPodCount' },
      { name: 'Kernel', type: 'string', jsonPath: '.status.kernelVersion' },
      { name: 'Version', type: 'string', jsonPath: '.status.agentVersion' },
    ],
    true,
  );

/** Every netobs CRD, in the order they are applied. */
export function netobsCrds(): CustomResourceDefinition[] {
  return [networkPolicyCrd(), clusterwideNetworkPolicyCrd(), identityCrd(), nodeCrd()];
}
