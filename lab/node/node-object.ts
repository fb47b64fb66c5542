// The Node object a lab kubelet registers and keeps fresh (Ready condition, addresses, pod CIDR,
// kernel and OS info), plus its Lease in kube-node-lease as the heartbeat.
import os from 'node:os';
import { serveLogPath } from '../state.ts';
import { readFileSync } from 'node:fs';
import type { Api } from '../apiserver/api.ts';
import { LAB_K8S_VERSION } from '../apiserver/discovery.ts';
import type { KObject } from '../apiserver/types.ts';
import type { NodePlan } from './plan.ts';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function osImage(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

const arch = () => (process.arch === 'x64' ? 'amd64' : process.arch);

export function nodeObject(n: NodePlan, labName: string): KObject {
  const t = now();
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: t, lastTransitionTime: t, reason, message });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch(),
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': arch(),
        'netobs.io/lab': labName,
        ...(n.index === 1 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      },
      // Where this node's kubelet writes what it does: tools (install --wait) point users there.
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'netobs.io/netns': n.netns, 'netobs.io/lab-log': serveLogPath(labName) },
    },
    spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr], providerID: `netobs-lab://${labName}/${n.name}` },
    status: {
      capacity: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '10Gi' },
      allocatable: { cpu: String(os.cpus().length), memory: `${Math.floor(os.totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '10Gi' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: n.underlayIp },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: '',
        systemUUID: '',
        bootID: '',
        kernelVersion: os.release(),
        osImage: osImage(),
        containerRuntimeVersion: 'netobs-lab://0.1.0',
        kubeletVersion: LAB_K8S_VERSION.gitVersion,
        kubeProxyVersion: LAB_K8S_VERSION.gitVersion,
        operatingSystem: 'linux',
        architecture: arch(),
      },
    },
  };
}

export function registerNode(api: Api, n: NodePlan, labName: string): void {
  const rt = api.rt('', 'nodes');
  const obj = nodeObject(n, labName);
  const cur = api.tryGet(rt, undefined, n.name);
  if (!cur) api.create(rt, undefined, obj, { manager: 'kubelet' });
  else api.update(rt, undefined, n.name, { ...cur, status: obj['status'] }, { subresource: 'status', manager: 'kubelet' });
}

/** Renews the node's lease every 10 s, as kubelets do; returns the stop function. */
export function heartbeat(api: Api, nodeName: string): () => void {
  const rt = api.rt('coordination.k8s.io', 'leases');
  const beat = () => {
    const cur = api.tryGet(rt, 'kube-node-lease', nodeName);
    const spec = { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') };
    try {
      if (!cur) api.create(rt, 'kube-node-lease', { metadata: { name: nodeName, namespace: 'kube-node-lease' }, spec }, { manager: 'kubelet' });
      else api.update(rt, 'kube-node-lease', nodeName, { ...cur, spec }, { manager: 'kubelet' });
    } catch {
      // next beat
    }
  };
  beat();
  const t = setInterval(beat, 10000);
  return () => clearInterval(t);
}
