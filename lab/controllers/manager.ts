// Runs every controller on changes (coalesced) and on a slow tick, like kube-controller-manager
// plus kube-scheduler. Each controller is a full, idempotent pass over the store: the lab is small.
import type { Api } from '../apiserver/api.ts';
import { reconcileDaemonSets } from './daemonset.ts';
import { reconcileDeployments } from './deployment.ts';
import { reconcileEndpoints } from './endpoints.ts';
import { collectGarbage } from './garbage-collector.ts';
import { reconcileNamespaces } from './namespace.ts';
import { reconcileReplicaSets } from './replicaset.ts';
import { schedule } from './scheduler.ts';

export interface ControllerManager {
  /** Runs all controllers now (tests call this to settle without waiting). */
  sync(): void;
  stop(): void;
}

export function startControllers(api: Api, opts: { caCert?: string; log?: (l: string) => void } = {}): ControllerManager {
  const passes: [string, () => void][] = [
    ['namespace', () => reconcileNamespaces(api, opts.caCert ?? '')],
    ['deployment', () => reconcileDeployments(api)],
    ['replicaset', () => reconcileReplicaSets(api)],
    ['daemonset', () => reconcileDaemonSets(api)],
    ['scheduler', () => schedule(api)],
    ['endpoints', () => reconcileEndpoints(api)],
    ['garbage-collector', () => collectGarbage(api)],
  ];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = false;
  const sync = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      // Controllers' own writes trigger further passes; a few rounds settle a change.
      for (let round = 0; round < 5; round++) {
        again = false;
        const before = api.store.currentRv();
        for (const [name, pass] of passes) {
          try {
            pass();
          } catch (e) {
            opts.log?.(`controller ${name}: ${(e as Error).stack ?? String(e)}`);
          }
        }
        if (api.store.currentRv() === before && !again) break;
      }
    } finally {
      running = false;
    }
  };
  const kick = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      sync();
    }, 20);
  };
  const unsubscribe = api.store.subscribe((e) => {
    if (e.gr !== '/events') kick();
  });
  const tick = setInterval(kick, 2000);
  kick();
  return {
    sync,
    stop() {
      stopped = true;
      unsubscribe();
      clearInterval(tick);
      if (timer) clearTimeout(timer);
    },
  };
}
