// Keeps the nftables service rules of every node netns and the host in step with Services and
// EndpointSlices (the lab's kube-proxy). Changes are coalesced; each apply replaces the table
// atomically.
import type { Api } from '../apiserver/api.ts';
import type { LabPlan } from './plan.ts';
import { deleteTableScript, renderServiceTable, type ServicePort } from './service-rules.ts';
import { nft } from './sh.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = Record<string, any>;

export function servicePorts(api: Api): ServicePort[] {
  const slices = api.list(api.rt('discovery.k8s.io', 'endpointslices'), undefined).items;
  const out: ServicePort[] = [];
  for (const s of api.list(api.rt('', 'services'), undefined).items) {
    const spec = s['spec'] as Any;
    if (!spec?.clusterIP || spec.clusterIP === 'None' || spec.type === 'ExternalName') continue;
    const mine = slices.filter((x) => x.metadata.namespace === s.metadata.namespace && x.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name);
    for (const p of (spec.ports ?? []) as Any[]) {
      const proto = String(p['protocol'] ?? 'TCP').toLowerCase() as ServicePort['protocol'];
      const backends: { ip: string; port: number }[] = [];
      for (const sl of mine) {
        const sp = ((sl['ports'] ?? []) as Any[]).find((x) => (x['name'] ?? '') === (p['name'] ?? '') && String(x['protocol'] ?? 'TCP').toLowerCase() === proto);
        if (!sp) continue;
        for (const e of (sl['endpoints'] ?? []) as Any[]) {
          if (e['conditions']?.ready === false) continue;
          for (const a of e['addresses'] ?? []) backends.push({ ip: a, port: Number(sp['port']) });
        }
      }
      out.push({ name: `${s.metadata.namespace}/${s.metadata.name}:${p['name'] || p['port']}`, protocol: proto, clusterIp: spec.clusterIP, port: Number(p['port']), ...(p['nodePort'] ? { nodePort: Number(p['nodePort']) } : {}), backends });
    }
  }
  return out;
}

export interface ServiceProxy {
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startServiceProxy(api: Api, plan: LabPlan, log: (l: string) => void): ServiceProxy {
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const apply = async () => {
    const ports = servicePorts(api);
    const key = JSON.stringify(ports);
    if (key === last) return;
    last = key;
    try {
      await Promise.all([
        ...plan.nodes.map((n) => nft(renderServiceTable(plan.nftTable, ports, { withNodePorts: true }), n.netns)),
        nft(renderServiceTable(plan.nftTable, ports, { withNodePorts: false })),
      ]);
      log(`service proxy: ${ports.length} service ports, ${ports.reduce((a, p) => a + p.backends.length, 0)} backends`);
    } catch (e) {
      last = '';
      log(`service proxy: ${(e as Error).message}`);
    }
  };
  const kick = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(apply);
    }, 50);
  };
  const unsub = api.store.subscribe((e) => {
    if (e.gr === '/services' || e.gr === 'discovery.k8s.io/endpointslices') kick();
  });
  kick();
  return {
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      running = running.then(apply);
      await running;
    },
    async stop() {
      unsub();
      if (timer) clearTimeout(timer);
      await running;
      await nft(deleteTableScript(plan.nftTable)).catch(() => {});
    },
  };
}
