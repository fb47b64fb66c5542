// `kubectl-netobs agent shutdown --if-uninstalling` (the agent's preStop hook): detach the
// programs and remove the pins only when netobs is being uninstalled, which the agent's own
// DaemonSet tells (api/kube-names.ts): gone (404), marked for deletion, or annotated
// netobs.io/uninstalling=true. Any other answer, including an API error, keeps everything:
// a flaky API server must never cut traffic.
import { Datapath } from '../bpf/loader/index.ts';
import { loadKubeConfig } from '../lib/kube.ts';
import { UNINSTALLING_ANNOTATION } from '../api/kube-names.ts';
import { loadConfig } from './config.ts';
import { KubeRest, statusOf } from '../lib/kube-rest.ts';
import { installedInterfaces } from './datapath/installed.ts';
import { CNI_BIN_DIR, CNI_CONF_DIR } from '../api/config.ts';
import { uninstallCniPlugin } from './cni/install.ts';

export type UninstallDecision = { uninstall: true; why: string } | { uninstall: false; why: string };

/** Decides from the GET of the DaemonSet: its object, or the error it failed with. */
export function decideUninstall(ds: { metadata?: { deletionTimestamp?: unknown; annotations?: Record<string, string> } } | undefined, error?: unknown): UninstallDecision {
  if (error !== undefined) {
    return statusOf(error) === 404 ? { uninstall: true, why: 'the agent DaemonSet is gone' } : { uninstall: false, why: `cannot read the agent DaemonSet (${(error as Error).message}): keeping the datapath` };
  }
  if (!ds) return { uninstall: true, why: 'the agent DaemonSet is gone' };
  if (ds.metadata?.deletionTimestamp) return { uninstall: true, why: 'the agent DaemonSet is being deleted' };
  if (ds.metadata?.annotations?.[UNINSTALLING_ANNOTATION] === 'true') return { uninstall: true, why: `the agent DaemonSet is annotated ${UNINSTALLING_ANNOTATION}=true` };
  return { uninstall: false, why: 'the agent DaemonSet is in place (restart or upgrade): keeping the datapath' };
}

export async function agentShutdown(o: { configDir?: string; ifUninstalling: boolean; kubeconfig?: string; version: string }): Promise<string> {
  const cfg = loadConfig(o.configDir, o.version);
  let decision: UninstallDecision = { uninstall: true, why: 'asked to (no --if-uninstalling)' };
  if (o.ifUninstalling) {
    const ns = process.env.POD_NAMESPACE ?? cfg.namespace;
    const name = process.env.NETOBS_AGENT_DAEMONSET ?? cfg.agentDaemonSet;
    try {
      const rest = new KubeRest(loadKubeConfig({ kubeconfig: o.kubeconfig, inCluster: true }), 5000);
      decision = decideUninstall(await rest.get(`/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`));
    } catch (err) {
      decision = decideUninstall(undefined, err);
    }
  }
  if (!decision.uninstall) return `agent shutdown: ${decision.why}`;
  // The CNI chain first: once the pins are gone, a chained netobs would fail every new pod's ADD.
  const cni = await uninstallCniPlugin({ binDir: CNI_BIN_DIR, confDir: CNI_CONF_DIR }).catch((e: unknown) => `CNI: ${(e as Error).message}`);
  const detached = Datapath.uninstall({ bpffsRoot: cfg.bpffsRoot, interfaces: installedInterfaces(cfg.bpffsRoot) });
  return `agent shutdown: ${decision.why}: detached from ${detached.length} interfaces, removed pins under ${cfg.bpffsRoot}; ${cni}`;
}
