import test from 'ava';
import { parse } from 'yaml';
import { validatePolicy } from '../../../agent/policy/validate.ts';
import { ALLOW_FRONTEND, ALLOW_FRONTEND_K8S } from './helpers.ts';

test('the seed policies are valid', (t) => {
  t.deepEqual(validatePolicy(parse(ALLOW_FRONTEND)), { valid: true });
  t.deepEqual(validatePolicy(parse(ALLOW_FRONTEND_K8S)), { valid: true });
});

const CRD = 'apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n';
const K8S = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\n';

const invalid = test.macro({
  exec(t, text: string, message: string) {
    t.deepEqual(validatePolicy(parse(text)), { valid: false, message });
  },
  title: (given, _text, message: string) => given ?? message,
});

// Objects and metadata.
test(invalid, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n', 'apiVersion: "cilium.io/v2" is Cilium\'s (use apiVersion netobs.io/v1alpha1 and kind NetworkPolicy)');
test(invalid, 'apiVersion: v1\nkind: Pod\n', 'kind: "v1" "Pod" is not a policy (use networking.k8s.io/v1 NetworkPolicy, or netobs.io/v1alpha1 NetworkPolicy or ClusterwideNetworkPolicy)');
test(invalid, 'apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nmetadata: {name: Bad_Name}\nspec: {endpointSelector: {}}', 'metadata.name: "Bad_Name" is not a valid name (lowercase letters, digits, \'-\' and \'.\')');
test(invalid, 'apiVersion: netobs.io/v1alpha1\nkind: NetworkPolicy\nspec: {}', 'metadata: undefined is not an object');
test(invalid, CRD, 'spec: is required (or specs, a list of rules)');

// netobs rules.
test(invalid, `${CRD}spec: {ingress: [{}]}`, 'spec.endpointSelector: is required (use {} to select every endpoint)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingres: [{}]}`, 'spec.ingres: unknown field (known: endpointSelector, ingress, ingressDeny, egress, egressDeny, enableDefaultDeny, description, labels, log)');
test(invalid, `${CRD}spec: {nodeSelector: {}}`, 'spec.nodeSelector: not supported by netobs (host firewall policies are not available)');
test(invalid, `${CRD}specs: [{endpointSelector: {}}, {endpointSelector: {matchLabels: {app: 1}}}]`, 'specs[1].endpointSelector.matchLabels.app: 1 is not a string');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: a.com}]}]}`, 'spec.egress: toFQDNs needs DNS lookups through the DNS proxy: add an egress rule toward the DNS server with toPorts [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*"}]}}] (the names it allows are the ones that can be learnt)');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: a.com}], toCIDR: [10.0.0.0/8]}]}`, 'spec.egress[0].toFQDNs: cannot be combined with toCIDR in one rule (write a separate rule)');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchPattern: "a/b"}]}]}`, 'spec.egress[0].toFQDNs[0]: matchPattern "a/b" is not a DNS name pattern (letters, digits, \'-\', \'_\' and \'*\' in dot-separated labels)');
test('toFQDNs with a dns rule for the lookups is valid', (t) => {
  t.deepEqual(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, egress: [{toFQDNs: [{matchName: api.world.lab}], toPorts: [{ports: [{port: "80"}]}]}, {toEntities: [world], toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.world.lab"}]}}]}]}`)), { valid: true });
});
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toEndpoints: [{}]}]}`, 'spec.ingress[0].toEndpoints: unknown field (known: fromEndpoints, fromCIDR, fromCIDRSet, fromEntities, fromNodes, toPorts, icmps)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{fromCIDR: [10.0.0.0/33]}]}`, 'spec.ingress[0].fromCIDR[0]: "10.0.0.0/33" is not a CIDR (use a.b.c.d/n or x:y::/n)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{fromCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/16]}]}]}`, 'spec.ingress[0].fromCIDRSet[0].except[0]: "11.0.0.0/16" is not inside "10.0.0.0/8"');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{fromEntities: [everyone]}]}`, 'spec.ingress[0].fromEntities[0]: "everyone" is not an entity (all, world, cluster, host, remote-node, kube-apiserver, none)');
for (const [e, why] of [['health', 'no health endpoints'], ['init', 'no init traffic'], ['unmanaged', 'match nothing'], ['ingress', 'no ingress proxy'], ['world-ipv4', 'one world identity'], ['world-ipv6', 'one world identity'], ['cluster-mesh', 'no cluster mesh']]) {
  test(`the Cilium entity ${e} is refused, naming it`, (t) => {
    const r = validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, egress: [{toEntities: [${e}]}]}`));
    const message = r.valid ? '' : r.message;
    t.true(message.startsWith(`spec.egress[0].toEntities[0]: "${e}" is not supported by netobs: `), message);
    t.true(message.includes(why as string), message);
  });
}
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "70000"}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].port: "70000" is not a port number (0-65535)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "Http_Alt"}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].port: "Http_Alt" is not a port number or port name (1-65535, or a name of at most 15 lowercase letters, digits and \'-\')');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", protocol: tcp}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].protocol: "tcp" is not one of TCP, UDP, SCTP, ANY');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80", protocol: ICMP}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].protocol: "ICMP" is not one of TCP, UDP, SCTP, ANY (use icmps for ICMP)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "9000", endPort: 8000}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].endPort: 8000 is below port 9000');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "http", endPort: 8000}]}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].endPort: 8000 needs a numeric port to start the range, not "http"');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "1024", endPort: 2048}], rules: {http: [{method: GET}]}}]}]}`, 'spec.ingress[0].toPorts[0].ports[0].endPort: L7 rules apply to single ports, not to a port range (list the ports, or drop the rules)');
test('a port range of any width is valid', (t) => {
  t.true(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "1024", endPort: 65535}]}]}]}`)).valid);
});
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: []}]}]}`, 'spec.ingress[0].toPorts[0].ports: must list at least one port');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingressDeny: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{}]}}]}]}`, 'spec.ingressDeny[0].toPorts[0].rules: L7 rules are not allowed in deny rules');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{path: "/a(("}]}}]}]}`, 'spec.ingress[0].toPorts[0].rules.http[0].path: "/a((" is not a regular expression (Invalid regular expression: //a((/: Unterminated group)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {kafka: [{}]}}]}]}`, 'spec.ingress[0].toPorts[0].rules.kafka: not supported by netobs (netobs does not enforce this L7 protocol)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {l7proto: foo, l7: [{}]}}]}]}`, 'spec.ingress[0].toPorts[0].rules.l7proto: not supported by netobs (netobs does not enforce this L7 protocol)');
// L7 rules the proxy does not enforce make a policy invalid: never a silent port-wide allow.
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: POST, path: /v1/request-landing}]}}]}]}`, "spec.egress[0].toPorts[0].rules.http: not supported by netobs (HTTP rules are enforced on ingress only: on egress they would allow every request on the port; put the rule on the server's ingress, or allow the port without rules, or with http: [{}] for visibility)");
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchName: api.world.lab}]}}]}]}`, 'spec.ingress[0].toPorts[0].rules.dns: not supported by netobs (DNS rules are enforced on egress only (the DNS proxy judges the queries a pod sends); allow the port without rules, or with dns: [{matchPattern: "*"}] for visibility)');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "0", protocol: UDP}], rules: {dns: [{matchName: api.world.lab}]}}]}]}`, 'spec.egress[0].toPorts[0].ports[0].port: a port with dns rules needs its number (e.g. "53"): the DNS proxy takes only the ports named');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "53", protocol: SCTP}], rules: {dns: [{matchPattern: "*"}]}}]}]}`, 'spec.egress[0].toPorts[0].ports[0].protocol: dns rules apply to UDP and TCP (or ANY)');
test(invalid, `${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "53"}], rules: {dns: [{matchPattern: "a+b.lab"}]}}]}]}`, 'spec.egress[0].toPorts[0].rules.dns[0]: matchPattern "a+b.lab" is not a DNS name pattern (letters, digits, \'-\', \'_\' and \'*\' in dot-separated labels)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{icmps: [{fields: [{type: Ping}]}]}]}`, 'spec.ingress[0].icmps[0].fields[0].type: "Ping" is not an IPv4 ICMP type (0-255 or a name such as EchoRequest)');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{icmps: [{fields: [{family: IPv5, type: 8}]}]}]}`, 'spec.ingress[0].icmps[0].fields[0].family: "IPv5" is not IPv4 or IPv6');
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{icmps: [{fields: [{type: 8}]}], toPorts: [{ports: [{port: "80"}]}]}]}`, 'spec.ingress[0].icmps: cannot be combined with toPorts in one rule (write a separate rule)');
test(invalid, `${CRD}spec: {endpointSelector: {}, enableDefaultDeny: {ingress: "no"}}`, 'spec.enableDefaultDeny.ingress: "no" is not true or false');
test(invalid, 'apiVersion: netobs.io/v1alpha1\nkind: ClusterwideNetworkPolicy\nmetadata: {name: p}\nspec: {endpointSelector: {}, egress: [{toServices: [{k8sService: {serviceName: db}}]}]}', 'spec.egress[0].toServices[0].k8sService.namespace: is required in a clusterwide policy');

// Kubernetes NetworkPolicy.
test(invalid, `${K8S}spec: {}`, 'spec.podSelector: is required (use {} to select every pod of the namespace)');
test(invalid, `${K8S}spec: {podSelector: {}, policyTypes: [ingress]}`, 'spec.policyTypes[0]: "ingress" is not Ingress or Egress');
test(invalid, `${K8S}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}`, 'spec.ingress[0].from[0]: ipBlock cannot be combined with podSelector or namespaceSelector');
test(invalid, `${K8S}spec: {podSelector: {}, ingress: [{from: [{}]}]}`, 'spec.ingress[0].from[0]: needs podSelector, namespaceSelector or ipBlock');
test(invalid, `${K8S}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.1}}]}]}`, 'spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1" is not a CIDR (use a.b.c.d/n or x:y::/n)');
test(invalid, `${K8S}spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]}`, 'spec.ingress[0].from[0].ipBlock.except[0]: "10.0.0.0/8" is not inside "10.0.0.0/8"');
test(invalid, `${K8S}spec: {podSelector: {}, egress: [{ports: [{port: 0}]}]}`, 'spec.egress[0].ports[0].port: 0 is not a port number (1-65535)');
test(invalid, `${K8S}spec: {podSelector: {}, egress: [{ports: [{protocol: ANY, port: 53}]}]}`, 'spec.egress[0].ports[0].protocol: "ANY" is not one of TCP, UDP, SCTP');
test(invalid, `${K8S}spec: {podSelector: {}, egress: [{ports: [{port: 80, endPort: 79}]}]}`, 'spec.egress[0].ports[0].endPort: 79 is below port 80');
test(invalid, `${K8S}spec: {podSelector: {}, egress: [{to: [{namespaceSelector: {matchLabels: {"a b": x}}}]}]}`, 'spec.egress[0].to[0].namespaceSelector.matchLabels: "a b" is not a valid label key');
test(invalid, `${K8S}spec: {podSelector: {}, egress: {to: []}}`, 'spec.egress: {"to":[]} is not a list');

test('L7 rules that match everything are exact without a proxy, so they stay valid (visibility)', (t) => {
  t.deepEqual(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{}]}}]}]}`)), { valid: true });
  t.deepEqual(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]}`)), { valid: true });
  t.is(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]}`)).valid, false);
});

test('HTTP rules on ingress are enforced by the proxy, so they are valid', (t) => {
  t.deepEqual(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]}`)), { valid: true });
});
test('DNS rules on egress are enforced by the DNS proxy, so they are valid', (t) => {
  t.deepEqual(validatePolicy(parse(`${CRD}spec: {endpointSelector: {}, egress: [{toPorts: [{ports: [{port: "53", protocol: ANY}], rules: {dns: [{matchPattern: "*.world.lab"}, {matchName: api.other.lab}]}}]}]}`)), { valid: true });
});
test(invalid, `${CRD}spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{path: "/(a)\\\\1"}]}}]}]}`, 'spec.ingress[0].toPorts[0].rules.http[0].path: "/(a)\\\\1" needs backtracking (backreferences or lookaround), which RE2 (Cilium) refuses too: rewrite it without them');
