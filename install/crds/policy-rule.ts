// The schema of one policy rule, shaped like CiliumNetworkPolicy's rule (docs/compat-facts.md) so
// that a Cilium policy moves by changing apiVersion and kind. Netobs-specific limits are stated
// here, next to the field they restrict, because the CRD is where a bad policy is refused first.
import type { JSONSchemaProps } from '../../lib/openapi-schema/types.ts';
import { bool, int, labelSelector, list, obj, str } from './common.ts';

export { ENTITIES } from '../../api/policy-entities.ts';
import { CILIUM_ENTITIES } from '../../api/policy-entities.ts';

const cidr = str('An IPv4 or IPv6 CIDR, e.g. 10.0.0.0/8.', { format: 'cidr' });

const cidrRule = obj(
  { cidr, except: list(cidr, 'CIDRs inside cidr that the rule does not cover.') },
  'A CIDR with exceptions.',
  { required: ['cidr'] },
);

/** A port number as a string or integer, or an IANA_SVC_NAME (a named container port). */
const PORT_PATTERN = '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})$|^([a-z0-9]-?)*[a-z](-?[a-z0-9])*$';

const portProtocol = obj(
  {
    // int-or-string: numeric bounds apply to integers only, pattern and length to strings only.
    port: { 'x-kubernetes-int-or-string': true, description: 'Port number ("80" or 80) or a named container port; 0 or absent means all ports.', minimum: 0, maximum: 65535, pattern: PORT_PATTERN, maxLength: 15 },
    endPort: int('Last port of a range starting at port.', { format: 'int32', minimum: 0, maximum: 65535 }),
    protocol: str('L4 protocol; ANY matches TCP, UDP and SCTP.', { enum: ['TCP', 'UDP', 'SCTP', 'ANY'], default: 'ANY' }),
  },
  'A port, or a range of ports, and a protocol.',
);

const fqdnSelector = obj(
  {
    matchName: str('An exact DNS name.', { maxLength: 255, pattern: '^([-a-zA-Z0-9_]+[.]?)+$' }),
    matchPattern: str('A DNS name with * wildcards.', { maxLength: 255, pattern: '^([-a-zA-Z0-9_*]+[.]?)+$' }),
  },
  'A DNS name, exact or by pattern.',
  { oneOf: [{ required: ['matchName'] }, { required: ['matchPattern'] }] },
);

const httpRule = obj(
  {
    method: str('Request method as an extended regex, e.g. GET|POST.'),
    path: str('Request path as an extended regex, e.g. /api/v1/.*.'),
    host: str('Host header as an extended regex.'),
    headers: list(str(), 'Headers that must be present, as "Name" or "Name: value" (the value matched exactly).'),
  },
  'An HTTP request that is allowed; empty fields match anything.',
);

// Kinds the agent does not enforce are still in the schema, kept whole, so that an API server
// does not prune them into an empty (port-wide) rule: the agent sees them and marks the policy
// Valid=False naming the field.
const unenforced = (what: string): JSONSchemaProps =>
  list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, `${what}: not enforced by netobs; a policy carrying them is refused (Valid=False).`);

const l7Rules = obj(
  {
    http: list(httpRule, 'Allowed HTTP requests (ingress): the L7 proxy answers any other request on the port with 403 Access denied. On egress only an empty rule (visibility) is accepted; others are refused (Valid=False) rather than allowing every request on the port.'),
    dns: list(fqdnSelector, 'Allowed DNS queries (egress): the DNS proxy answers any other query on the port with REFUSED. On ingress only matchPattern "*" is accepted (visibility).'),
    kafka: unenforced('Kafka rules'),
    l7proto: str('A generic L7 parser name: not enforced by netobs; a policy naming one is refused (Valid=False).'),
    l7: unenforced('Generic L7 rules'),
  },
  'Layer-7 rules for the ports; only one kind per port.',
  { maxProperties: 1 },
);

const portRule = (withL7: boolean): JSONSchemaProps =>
  obj(
    {
      ports: list(portProtocol, 'Ports the rule applies to.', { maxItems: 40 }),
      ...(withL7 ? { rules: l7Rules } : {}),
    },
    withL7 ? 'Ports, optionally with layer-7 rules.' : 'Ports (deny rules take no layer-7 rules).',
  );

const icmpRule = obj(
  {
    fields: list(
      obj(
        {
          family: str('IPv4 or IPv6.', { enum: ['IPv4', 'IPv6'], default: 'IPv4' }),
          type: { 'x-kubernetes-int-or-string': true, description: 'ICMP type, as a number (0-255) or a name such as EchoRequest.', minimum: 0, maximum: 255, pattern: '^[A-Za-z]{1,32}$' },
        },
        undefined,
        { required: ['type'] },
      ),
      'ICMP types the rule applies to.',
      { maxItems: 40 },
    ),
  },
  'ICMP types.',
);

const entities = list(str(undefined, { enum: [...CILIUM_ENTITIES] }), 'Reserved groups of peers (world, cluster, host...).');

const serviceSelector = obj(
  {
    k8sService: obj({ serviceName: str(), namespace: str() }, 'A Service by name.', { required: ['serviceName'] }),
    k8sServiceSelector: obj({ selector: labelSelector('Services with these labels.'), namespace: str() }, 'Services by label.', { required: ['selector'] }),
  },
  'Kubernetes Services whose backends are allowed.',
  { oneOf: [{ required: ['k8sService'] }, { required: ['k8sServiceSelector'] }] },
);

export function ingressRule(deny: boolean): JSONSchemaProps {
  return obj(
    {
      fromEndpoints: list(labelSelector('Pods with these labels.'), 'Peer pods by label.'),
      fromCIDR: list(cidr, 'Peer CIDRs.'),
      fromCIDRSet: list(cidrRule, 'Peer CIDRs with exceptions.'),
      fromEntities: entities,
      fromNodes: list(labelSelector('Nodes with these labels.'), 'Peer nodes by label.'),
      toPorts: list(portRule(!deny), 'Destination ports on the selected endpoints.'),
      icmps: list(icmpRule, 'ICMP types.'),
    },
    deny ? 'Traffic into the selected endpoints that is denied; deny wins over allow.' : 'Traffic into the selected endpoints that is allowed.',
  );
}

export function egressRule(deny: boolean): JSONSchemaProps {
  return obj(
    {
      toEndpoints: list(labelSelector('Pods with these labels.'), 'Peer pods by label.'),
      toCIDR: list(cidr, 'Peer CIDRs.'),
      toCIDRSet: list(cidrRule, 'Peer CIDRs with exceptions.'),
      toEntities: entities,
      toServices: list(serviceSelector, 'Peer Services.'),
      ...(deny ? {} : { toFQDNs: list(fqdnSelector, 'Peer DNS names: the addresses the DNS proxy learnt from answers to this pod\'s lookups (at least one hour each, or the TTL if longer). The policy needs an egress dns rule for those lookups (Valid=False otherwise); cannot be combined with other peers in one rule.') }),
      toNodes: list(labelSelector('Nodes with these labels.'), 'Peer nodes by label.'),
      toPorts: list(portRule(!deny), 'Destination ports on the peers.'),
      icmps: list(icmpRule, 'ICMP types.'),
    },
    deny ? 'Traffic out of the selected endpoints that is denied; deny wins over allow.' : 'Traffic out of the selected endpoints that is allowed.',
  );
}

/** One rule: which endpoints it selects and what it allows or denies for them. */
export function ruleSchema(description: string): JSONSchemaProps {
  return obj(
    {
      endpointSelector: labelSelector('The pods the rule applies to; {} selects every pod in scope.'),
      nodeSelector: labelSelector('The nodes (host endpoints) the rule applies to.'),
      ingress: list(ingressRule(false), 'Allowed ingress; once any rule selects an endpoint, other ingress is denied.'),
      ingressDeny: list(ingressRule(true), 'Denied ingress.'),
      egress: list(egressRule(false), 'Allowed egress; once any rule selects an endpoint, other egress is denied.'),
      egressDeny: list(egressRule(true), 'Denied egress.'),
      enableDefaultDeny: obj({ ingress: bool('Deny unselected ingress (default true).'), egress: bool('Deny unselected egress (default true).') }, 'Whether selecting an endpoint denies the traffic the rule does not allow.'),
      description: str('Free text shown in policy verdicts.', { maxLength: 1024 }),
      labels: list(obj({ key: str(), value: str(), source: str() }, undefined, { required: ['key'] }), 'Labels identifying the rule in flows (egress_allowed_by...).'),
      log: obj({ value: str('A string logged with each verdict of this rule.', { maxLength: 32 }) }, 'Policy verdict logging.'),
    },
    description,
    { oneOf: [{ required: ['endpointSelector'] }, { required: ['nodeSelector'] }] },
  );
}
