// An HTTP request whose method, path and status the flows must show as L7 records.
import type { Scenario } from '../framework/types.ts';
import { ECHO_PORT } from '../deployment.ts';
import { clients, echoes, hostPort, makeAction, podPeer } from './peers.ts';

export const L7_PATH = '/l7-visibility';

export const httpRequest: Scenario = {
  name: 'http-request',
  actions: ({ topology: t, params }) =>
    clients(t, ['client']).flatMap((src) =>
      echoes(t).map((e) => makeAction('http-request', src, podPeer(e.role, e.pod), {
        kind: 'http', target: hostPort(e.pod.ip, ECHO_PORT), method: 'GET', path: L7_PATH, timeoutMs: params.probeTimeoutMs,
      }, { httpStatus: 200 })),
    ),
};
