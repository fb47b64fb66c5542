// Names that install writes and the agent, relay, connectivity test and plugin read back: object
// names, pod selectors, CRD group/version, annotations and the image reference. One copy here;
// install/render/meta.ts, install/crds/common.ts, install/render/agent.ts and install/values.ts
// re-export them.

/** The namespace install uses unless told another; the relay is looked up there by default. */
export const DEFAULT_NAMESPACE = 'netobs-system';

/** Group and version of the netobs CRDs (policies, identities' siblings). */
export const GROUP = 'netobs.io';
export const VERSION = 'v1alpha1';

export const NAMES = {
  agent: 'netobs-agent',
  relay: 'netobs-relay',
  config: 'netobs-config',
  caSecret: 'netobs-ca',
  agentTlsSecret: 'netobs-agent-tls',
  relayTlsSecret: 'netobs-relay-tls',
  /** The relay's server certificate on its client port (4245). */
  relayServerTlsSecret: 'netobs-relay-server-tls',
  /** The client certificate `kubectl netobs` presents to the relay: reading it is what RBAC grants (Role userRole). */
  clientTlsSecret: 'netobs-client-tls',
  /** A Role in the install namespace with what `kubectl netobs observe|ui|endpoints|maps` need; bind it to users. */
  userRole: 'netobs-user',
  relayNetworkPolicy: 'netobs-relay',
  agentMetrics: 'netobs-agent-metrics',
  flowMetrics: 'netobs-flow-metrics',
  /** The values of the last install (install/values-stored.ts): re-runs and upgrade start from them. */
  installValues: 'netobs-install-values',
} as const;

/** Selector labels of the agent and relay pods: stable across versions, since selectors are immutable. */
export const agentSelector = { 'app.kubernetes.io/name': NAMES.agent };
export const relaySelector = { 'app.kubernetes.io/name': NAMES.relay };

/**
 * On the relay Deployment when its client port requires mTLS: the name its certificate carries,
 * which the plugin checks (absent: a plaintext relay, the compatibility mode).
 */
export const RELAY_SERVER_NAME_ANNOTATION = 'netobs.io/relay-server-name';

/** Set on the agent DaemonSet by uninstall: an agent that stops then detaches the datapath. */
export const UNINSTALLING_ANNOTATION = 'netobs.io/uninstalling';

/** The image every role runs, unless the user names another. */
export const DEFAULT_IMAGE_REPOSITORY = 'netobs/netobs';

export interface ImageName {
  repository: string;
  tag: string;
  digest: string;
}

/** The image reference every role runs: repository:tag (tag defaults to the version), pinned by digest when one is known. */
export function imageName(image: ImageName, version: string): string {
  const base = `${image.repository}:${image.tag || version}`;
  return image.digest ? `${base}@${image.digest}` : base;
}

/**
 * On a netobs or Kubernetes NetworkPolicy, `"true"` makes it an audit (staged) policy: not
 * enforced, judged against the traffic in userspace, its would-be verdicts shown as AUDIT flows.
 */
export const AUDIT_ANNOTATION = 'netobs.io/audit';
