// The demo of the seed documents: the Death Star (a Service with two replicas), a TIE fighter
// (org=empire) and an X-wing (org=alliance) that request landing every few seconds, try the
// exhaust port (503: the Death Star explodes, what an L7 policy prevents), look up names, and
// visit the world; a NetworkPolicy lets only the empire land. Pure: objects out.
import type { KObject } from '../apiserver/types.ts';

export const DEMO_NAMESPACE = 'default';

function ship(name: string, org: string, worldHost: string): KObject {
  const loop = [
    'while true; do',
    '  timeout 3 wget -q -O- --post-data= http://deathstar.default.svc.cluster.local/v1/request-landing >/dev/null 2>&1 && echo "$(date -u +%T) landed" || echo "$(date -u +%T) landing refused";',
    '  timeout 3 wget -q -O /dev/null --post-data= http://deathstar.default.svc.cluster.local/v1/exhaust-port >/dev/null 2>&1;',
    `  nslookup deathstar.default.svc.cluster.local >/dev/null 2>&1; nslookup ${worldHost} >/dev/null 2>&1;`,
    `  timeout 3 wget -q -O /dev/null http://${worldHost}/ 2>/dev/null;`,
    '  sleep 5;',
    'done',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: DEMO_NAMESPACE, labels: { org, class: name, 'app.kubernetes.io/name': name } },
    spec: { containers: [{ name: 'spaceship', image: 'busybox', command: ['sh', '-c', loop] }] },
  };
}

export function starWarsObjects(worldHost = 'www.world.lab'): KObject[] {
  const labels = { org: 'empire', class: 'deathstar' };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'deathstar', namespace: DEMO_NAMESPACE, labels: { ...labels, 'app.kubernetes.io/name': 'deathstar' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': 'deathstar' } },
          spec: { containers: [{ name: 'deathstar', image: 'netobs/netobs:dev', args: ['echo', '--port', '80'], ports: [{ containerPort: 80, name: 'http' }], readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 } }] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'deathstar', namespace: DEMO_NAMESPACE, labels: { 'app.kubernetes.io/name': 'deathstar' } },
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
    },
    ship('tiefighter', 'empire', worldHost),
    ship('xwing', 'alliance', worldHost),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'rule1', namespace: DEMO_NAMESPACE, annotations: { description: 'L3-L4 policy to restrict deathstar access to empire ships only' } },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { org: 'empire' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      },
    },
  ];
}
