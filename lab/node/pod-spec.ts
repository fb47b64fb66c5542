// From a pod object to what its containers need (pure): environment (with fieldRef,
// configMapKeyRef and secretKeyRef resolved), files for /etc/hosts and resolv.conf, and status.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  podIp: string;
  hostIp: string;
  serviceAccount: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function fieldRefValue(path: string, f: PodFacts): string {
  switch (path) {
    case 'metadata.name':
      return f.name;
    case 'metadata.namespace':
      return f.namespace;
    case 'metadata.uid':
      return f.uid;
    case 'spec.nodeName':
      return f.nodeName;
    case 'spec.serviceAccountName':
      return f.serviceAccount;
    case 'status.podIP':
    case 'status.podIPs':
      return f.podIp;
    case 'status.hostIP':
    case 'status.hostIPs':
      return f.hostIp;
  }
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? f.labels : f.annotations)[m[2]!] ?? '';
  return '';
}

export interface EnvSources {
  configMap(ns: string, name: string): Record<string, string> | undefined;
  secret(ns: string, name: string): Record<string, string> | undefined; // decoded
}

/** Environment of one container, in the order Kubernetes builds it. Throws with kubelet's message when a required source is missing. */
export function containerEnv(c: Any, f: PodFacts, src: EnvSources, base: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...base };
  for (const from of (c['envFrom'] ?? []) as Any[]) {
    const prefix = from['prefix'] ?? '';
    const data = from['configMapRef'] ? src.configMap(f.namespace, from['configMapRef'].name) : from['secretRef'] ? src.secret(f.namespace, from['secretRef'].name) : undefined;
    const ref = from['configMapRef'] ?? from['secretRef'];
    if (!data && !ref?.optional) throw new Error(`${from['configMapRef'] ? 'configmap' : 'secret'} "${ref?.name}" not found`);
    for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v;
  }
  for (const e of (c['env'] ?? []) as Any[]) {
    if (e['value'] !== undefined) env[e['name']] = expand(String(e['value']), env);
    else if (e['valueFrom']?.fieldRef) env[e['name']] = fieldRefValue(e['valueFrom'].fieldRef.fieldPath, f);
    else if (e['valueFrom']?.configMapKeyRef || e['valueFrom']?.secretKeyRef) {
      const ref = e['valueFrom'].configMapKeyRef ?? e['valueFrom'].secretKeyRef;
      const data = e['valueFrom'].configMapKeyRef ? src.configMap(f.namespace, ref.name) : src.secret(f.namespace, ref.name);
      const v = data?.[ref.key];
      if (v === undefined && !ref.optional) throw new Error(`couldn't find key ${ref.key} in ${e['valueFrom'].configMapKeyRef ? 'ConfigMap' : 'Secret'} ${f.namespace}/${ref.name}`);
      if (v !== undefined) env[e['name']] = v;
    } else if (e['valueFrom']?.resourceFieldRef) env[e['name']] = '0';
    else env[e['name']] = '';
  }
  return env;
}

/** $(VAR) references to earlier variables, as Kubernetes expands them ($$ escapes). */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && env[name] !== undefined ? env[name] : m));
}

export function resolvConf(namespace: string, dnsIp: string, dnsPolicy: string, hostResolv: string): string {
  if (dnsPolicy === 'Default') return hostResolv;
  return `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${dnsIp}\noptions ndots:5\n`;
}

export function etcHosts(f: Pick<PodFacts, 'name' | 'podIp' | 'namespace'>, hostAliases: Any[] = [], hostname?: string, subdomain?: string): string {
  const fqdn = subdomain ? `${hostname ?? f.name}.${subdomain}.${f.namespace}.svc.cluster.local\t` : '';
  const lines = [
    '# Kubernetes-managed hosts file (netobs lab).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::1\tip6-mcastprefix',
    `${f.podIp}\t${fqdn}${hostname ?? f.name}`,
  ];
  for (const a of hostAliases) lines.push(`\n# Entries added by HostAliases.\n${a['ip']}\t${(a['hostnames'] ?? []).join('\t')}`);
  return lines.join('\n') + '\n';
}

/** Service links: {SVC}_SERVICE_HOST/PORT for the services of the pod's namespace (enableServiceLinks). */
export function serviceEnv(services: Any[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of services) {
    const ip = s['spec']?.clusterIP;
    const ports = (s['spec']?.ports ?? []) as Any[];
    if (!ip || ip === 'None' || ports.length === 0) continue;
    const n = String(s['metadata'].name).toUpperCase().replace(/-/g, '_');
    const p0 = ports[0]!;
    env[`${n}_SERVICE_HOST`] = ip;
    env[`${n}_SERVICE_PORT`] = String(p0['port']);
    for (const p of ports) if (p['name']) env[`${n}_SERVICE_PORT_${String(p['name']).toUpperCase().replace(/-/g, '_')}`] = String(p['port']);
    const proto = String(p0['protocol'] ?? 'TCP').toLowerCase();
    env[`${n}_PORT`] = `${proto}://${ip}:${p0['port']}`;
  }
  return env;
}
