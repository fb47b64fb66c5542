// What the agent writes into the Service translation maps, from Services, EndpointSlices and
// nodes (pure): ClusterIP, ExternalIP and NodePort frontends, named target ports per backend,
// address families, headless and ExternalName Services, terminating endpoints.
import test from 'ava';
import { ServiceIds, desiredServices } from '../../../agent/datapath/service-sync.ts';
import type { EndpointSliceObject, NodeObject, ServiceObject } from '../../../lib/kube-objects.ts';

const svc = (name: string, spec: ServiceObject['spec']): ServiceObject => ({ metadata: { name, namespace: 'default' }, spec });
const slice = (svcName: string, o: Partial<EndpointSliceObject> & { name?: string }): EndpointSliceObject => ({
  metadata: { name: o.name ?? `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: o.addressType ?? 'IPv4',
  ...(o.endpoints ? { endpoints: o.endpoints } : {}),
  ...(o.ports ? { ports: o.ports } : {}),
});
const node = (name: string, ip: string): NodeObject => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });

test('ClusterIP, ExternalIP and NodePort frontends share the ready backends at the slice port', (t) => {
  const d = desiredServices(
    [svc('web', { type: 'NodePort', clusterIP: '10.96.0.5', externalIPs: ['192.0.2.7'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web', nodePort: 30080 }] })],
    [slice('web', {
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.0.1.3'], conditions: { ready: true } }, { addresses: ['10.0.1.2'] }, { addresses: ['10.0.1.9'], conditions: { ready: false } }],
    })],
    [node('n1', '172.18.0.2'), node('n2', '172.18.0.3')],
    new ServiceIds(),
  );
  const backends = [{ addr: '10.0.1.2', port: 8080 }, { addr: '10.0.1.3', port: 8080 }];
  t.deepEqual(d.frontends, [
    { addr: '10.96.0.5', port: 80, protocol: 6, svcId: 1, backends },
    { addr: '192.0.2.7', port: 80, protocol: 6, svcId: 1, backends },
    { addr: '172.18.0.2', port: 30080, protocol: 6, svcId: 1, backends },
    { addr: '172.18.0.3', port: 30080, protocol: 6, svcId: 1, backends },
  ]);
  t.deepEqual(d.draining, []);
});

test('a named target port resolves per slice (backends may differ in port)', (t) => {
  const d = desiredServices(
    [svc('api', { clusterIP: '10.96.0.6', ports: [{ name: 'grpc', port: 9000, protocol: 'TCP', targetPort: 'grpc' }, { name: 'dns', port: 53, protocol: 'UDP' }] })],
    [
      slice('api', { name: 'a', ports: [{ name: 'grpc', port: 9001, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }], endpoints: [{ addresses: ['10.0.1.4'] }] }),
      slice('api', { name: 'b', ports: [{ name: 'grpc', port: 9002, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.2.4'] }] }),
    ],
    [],
    new ServiceIds(),
  );
  t.deepEqual(d.frontends.map((f) => [f.port, f.protocol, f.backends]), [
    [9000, 6, [{ addr: '10.0.1.4', port: 9001 }, { addr: '10.0.2.4', port: 9002 }]],
    [53, 17, [{ addr: '10.0.1.4', port: 5353 }]],
  ]);
});

test('dual stack: each family gets its own backends; headless and ExternalName get nothing', (t) => {
  const d = desiredServices(
    [
      svc('ds', { clusterIPs: ['10.96.0.7', 'fd00:96::7'], ports: [{ port: 80, protocol: 'TCP' }] }),
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', ports: [{ port: 80 }] }),
    ],
    [
      slice('ds', { name: 'v4', ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.1.5'] }] }),
      slice('ds', { name: 'v6', addressType: 'IPv6', ports: [{ port: 80 }], endpoints: [{ addresses: ['fd00:1::5'] }] }),
      slice('headless', { ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.1.6'] }] }),
    ],
    [],
    new ServiceIds(),
  );
  t.deepEqual(d.frontends.map((f) => [f.addr, f.backends.map((b) => b.addr)]), [['10.96.0.7', ['10.0.1.5']], ['fd00:96::7', ['fd00:1::5']]]);
});

test('terminating endpoints that still serve drain; a Service without endpoints has no backends', (t) => {
  const d = desiredServices(
    [svc('web', { clusterIP: '10.96.0.8', ports: [{ port: 80 }] }), svc('empty', { clusterIP: '10.96.0.9', ports: [{ port: 80 }] })],
    [slice('web', { ports: [{ port: 80 }], endpoints: [{ addresses: ['10.0.1.7'] }, { addresses: ['10.0.1.8'], conditions: { ready: false, serving: true, terminating: true } }] })],
    [],
    new ServiceIds(),
  );
  t.deepEqual(d.frontends.map((f) => f.backends), [[{ addr: '10.0.1.7', port: 80 }], []]);
  t.deepEqual(d.draining, [{ addr: '10.0.1.8', port: 80 }]);
});
