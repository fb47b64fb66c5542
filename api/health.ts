// grpc.health.v1.Health for the agent's and the relay's gRPC servers: a status per service name
// ("" for the server as a whole), Check answers it (NOT_FOUND for a name never registered, as
// the protocol asks), Watch streams it and every change until the client goes away.
// `hubble status` checks "hubble.server.Observer", the name Hubble servers register.
import * as grpc from '@grpc/grpc-js';
import { codec } from './codec.ts';
import { grpcMethod } from './grpc-method.ts';

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
/** The service name hubble's CLI and Hubble servers use for the observer in health checks. */
export const HUBBLE_OBSERVER_HEALTH_NAME = 'hubble.server.Observer';

export const ServingStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
export type ServingStatus = (typeof ServingStatus)[keyof typeof ServingStatus];

export interface HealthCheckRequest { service?: string }
export interface HealthCheckResponse { status?: ServingStatus }

const requestCodec = codec<HealthCheckRequest>('grpc.health.v1.HealthCheckRequest');
const responseCodec = codec<HealthCheckResponse>('grpc.health.v1.HealthCheckResponse');

export const healthService = {
  Check: grpcMethod(HEALTH_SERVICE, 'Check', requestCodec, responseCodec, false),
  Watch: grpcMethod(HEALTH_SERVICE, 'Watch', requestCodec, responseCodec, true),
} satisfies grpc.ServiceDefinition;

/** The serving status of each service name; whoever owns a service sets it. */
export class HealthState {
  readonly #status = new Map<string, ServingStatus>();
  readonly #watchers = new Set<(service: string, status: ServingStatus) => void>();

  set(service: string, status: ServingStatus): void {
    if (this.#status.get(service) === status) return;
    this.#status.set(service, status);
    for (const w of this.#watchers) w(service, status);
  }

  /** Every name at once (server start, shutdown). */
  setAll(status: ServingStatus): void {
    for (const name of this.#status.keys()) this.set(name, status);
  }

  get(service: string): ServingStatus | undefined {
    return this.#status.get(service);
  }

  handlers(): grpc.UntypedServiceImplementation {
    const Check: grpc.handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, cb) => {
      const name = call.request.service ?? '';
      const status = this.#status.get(name);
      if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: `health: unknown service ${JSON.stringify(name)}` });
      else cb(null, { status });
    };
    const Watch: grpc.handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse> = (call) => {
      const name = call.request.service ?? '';
      call.write({ status: this.#status.get(name) ?? ServingStatus.SERVICE_UNKNOWN });
      const w = (service: string, status: ServingStatus): void => {
        if (service === name) call.write({ status });
      };
      this.#watchers.add(w);
      const stop = (): void => {
        this.#watchers.delete(w);
      };
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
    };
    return { Check, Watch };
  }
}
