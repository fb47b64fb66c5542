// Per-resource behaviour on create and update: the defaults the real server fills in (so
// kubectl output and client code see familiar objects), allocations (ClusterIP, NodePort) and
// validations users hit first.
import { ApiError, invalid } from './errors.ts';
import { cidrContains, intToIp, parseCidr } from './ipv4.ts';
import type { KObject } from './types.ts';

type Obj = Record<string, unknown>;

export interface StrategyContext {
  serviceCidr: string;
  nodePortRange: [number, number];
  /** Every service in the store, to find free ClusterIPs and NodePorts. */
  services(): KObject[];
}

export function defaultPodSpec(spec: Obj): void {
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['securityContext'] ??= {};
  spec['serviceAccountName'] ??= (spec['serviceAccount'] as string | undefined) ?? 'default';
  spec['serviceAccount'] ??= spec['serviceAccountName'];
  spec['enableServiceLinks'] ??= true;
  spec['priority'] ??= 0;
  for (const c of [...((spec['initContainers'] as Obj[] | undefined) ?? []), ...((spec['containers'] as Obj[] | undefined) ?? [])]) {
    const image = String(c['image'] ?? '');
    c['imagePullPolicy'] ??= image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent';
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
    c['resources'] ??= {};
    for (const p of (c['ports'] as Obj[] | undefined) ?? []) p['protocol'] ??= 'TCP';
  }
}

function validatePod(obj: KObject): void {
  const spec = obj['spec'] as Obj | undefined;
  const cs = spec?.['containers'] as Obj[] | undefined;
  const errs: { field: string; message: string }[] = [];
  if (!cs || cs.length === 0) errs.push({ field: 'spec.containers', message: 'Required value' });
  cs?.forEach((c, i) => {
    if (!c['name']) errs.push({ field: `spec.containers[${i}].name`, message: 'Required value' });
    if (!c['image']) errs.push({ field: `spec.containers[${i}].image`, message: 'Required value' });
  });
  if (errs.length) throw invalid('Pod', '', obj.metadata.name ?? '', errs);
}

function defaultTemplate(obj: KObject): void {
  const spec = (obj['spec'] ??= {}) as Obj;
  const tpl = (spec['template'] ??= {}) as Obj;
  const tspec = (tpl['spec'] ??= {}) as Obj;
  defaultPodSpec(tspec);
  const md = (tpl['metadata'] ??= {}) as Obj;
  md['creationTimestamp'] ??= null;
}

function nextFreeIp(cidr: string, used: Set<string>): string {
  const c = parseCidr(cidr);
  // .1 is the kubernetes service by convention, .10 the DNS service: pick from the top down first.
  for (let n = c.size - 2; n >= 11; n--) {
    const ip = intToIp(c.base + n);
    if (!used.has(ip)) return ip;
  }
  throw new ApiError(500, 'InternalError', `Internal error occurred: failed to allocate a serviceIP: range is full`);
}

function allocateService(svc: KObject, ctx: StrategyContext, old?: KObject): void {
  const spec = (svc['spec'] ??= {}) as Obj;
  const oldSpec = old?.['spec'] as Obj | undefined;
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  spec['ipFamilies'] ??= ['IPv4'];
  spec['ipFamilyPolicy'] ??= 'SingleStack';
  spec['internalTrafficPolicy'] ??= 'Cluster';
  if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') spec['externalTrafficPolicy'] ??= 'Cluster';
  const others = ctx.services().filter((s) => !(s.metadata.namespace === svc.metadata.namespace && s.metadata.name === svc.metadata.name));
  if (spec['type'] !== 'ExternalName') {
    if (oldSpec?.['clusterIP'] && !spec['clusterIP']) spec['clusterIP'] = oldSpec['clusterIP'];
    if (!spec['clusterIP']) {
      const used = new Set(others.map((s) => String((s['spec'] as Obj | undefined)?.['clusterIP'] ?? '')));
      spec['clusterIP'] = nextFreeIp(ctx.serviceCidr, used);
    } else if (spec['clusterIP'] !== 'None') {
      const ip = String(spec['clusterIP']);
      if (!cidrContains(ctx.serviceCidr, ip)) {
        throw invalid('Service', '', svc.metadata.name ?? '', [{ field: 'spec.clusterIPs', message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${ctx.serviceCidr}` }]);
      }
      if (!old && others.some((s) => (s['spec'] as Obj | undefined)?.['clusterIP'] === ip)) {
        throw invalid('Service', '', svc.metadata.name ?? '', [{ field: 'spec.clusterIPs', message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated` }]);
      }
    }
    spec['clusterIPs'] = [spec['clusterIP']];
  }
  const usedPorts = new Set(others.flatMap((s) => ((s['spec'] as Obj | undefined)?.['ports'] as Obj[] | undefined ?? []).map((p) => Number(p['nodePort'] ?? 0))));
  const oldPorts = (oldSpec?.['ports'] as Obj[] | undefined) ?? [];
  for (const p of (spec['ports'] as Obj[] | undefined) ?? []) {
    p['protocol'] ??= 'TCP';
    p['targetPort'] ??= p['port'];
    if (spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer') {
      if (!p['nodePort']) {
        const prev = oldPorts.find((o) => o['port'] === p['port'] && o['protocol'] === p['protocol']);
        if (prev?.['nodePort']) p['nodePort'] = prev['nodePort'];
      }
      if (!p['nodePort']) {
        const [lo, hi] = ctx.nodePortRange;
        let n = lo;
        while (usedPorts.has(n) && n <= hi) n++;
        if (n > hi) throw new ApiError(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
        p['nodePort'] = n;
      }
      usedPorts.add(Number(p['nodePort']));
    } else delete p['nodePort'];
  }
  svc['status'] ??= { loadBalancer: {} };
}

/** Defaults and allocations on create; throws ApiError for invalid objects. */
export function prepareCreate(gr: string, obj: KObject, ctx: StrategyContext): void {
  switch (gr) {
    case '/pods':
      validatePod(obj);
      defaultPodSpec((obj['spec'] ??= {}) as Obj);
      obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case '/namespaces':
      obj['spec'] = { finalizers: ['kubernetes'] };
      obj['status'] = { phase: 'Active' };
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      break;
    case '/services':
      allocateService(obj, ctx);
      break;
    case '/secrets':
      foldStringData(obj);
      obj['type'] ??= 'Opaque';
      break;
    case 'apps/deployments': {
      defaultTemplate(obj);
      const spec = obj['spec'] as Obj;
      spec['replicas'] ??= 1;
      spec['revisionHistoryLimit'] ??= 10;
      spec['progressDeadlineSeconds'] ??= 600;
      spec['strategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
      obj['status'] ??= {};
      break;
    }
    case 'apps/replicasets':
      defaultTemplate(obj);
      (obj['spec'] as Obj)['replicas'] ??= 1;
      obj['status'] ??= { replicas: 0 };
      break;
    case 'apps/daemonsets': {
      defaultTemplate(obj);
      const spec = obj['spec'] as Obj;
      spec['revisionHistoryLimit'] ??= 10;
      spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      obj['status'] ??= { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      break;
    }
    case 'networking.k8s.io/networkpolicies': {
      const spec = (obj['spec'] ??= {}) as Obj;
      spec['podSelector'] ??= {};
      if (!spec['policyTypes']) spec['policyTypes'] = spec['egress'] ? ['Ingress', 'Egress'] : ['Ingress'];
      break;
    }
  }
  const labelErr = badLabels(obj);
  if (labelErr) throw invalid(obj.kind ?? '', '', obj.metadata.name ?? '', [labelErr]);
}

export function prepareUpdate(gr: string, old: KObject, obj: KObject, ctx: StrategyContext): void {
  switch (gr) {
    case '/services':
      allocateService(obj, ctx, old);
      break;
    case '/secrets':
      foldStringData(obj);
      break;
    case '/namespaces':
      // spec.finalizers only change through /finalize; status.phase follows deletion.
      obj['spec'] = old['spec'];
      break;
    case '/pods': {
      const spec = (obj['spec'] ??= {}) as Obj;
      defaultPodSpec(spec);
      const oldNode = (old['spec'] as Obj | undefined)?.['nodeName'];
      if (oldNode && spec['nodeName'] !== oldNode) {
        throw invalid('Pod', '', obj.metadata.name ?? '', [{ field: 'spec', message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)' }]);
      }
      break;
    }
    case 'apps/deployments':
    case 'apps/replicasets':
    case 'apps/daemonsets':
      defaultTemplate(obj);
      break;
  }
}

function foldStringData(obj: KObject): void {
  const sd = obj['stringData'] as Record<string, string> | undefined;
  if (!sd) return;
  const data = ((obj['data'] as Record<string, string> | undefined) ?? {});
  for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(v).toString('base64');
  obj['data'] = data;
  delete obj['stringData'];
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function badLabels(obj: KObject): { field: string; message: string } | undefined {
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      return { field: `metadata.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` };
    }
    if (!k) return { field: 'metadata.labels', message: 'Invalid value: "": name part must be non-empty' };
  }
  return undefined;
}
