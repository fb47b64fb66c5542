import test from 'ava';
import { enumType, messageType } from '../../api/schema.ts';
import {
  DropReason, FlowType, IPVersion, L7FlowType, LostEventSource, NodeState, TraceObservationPoint,
  TrafficDirection, Verdict,
} from '../../api/types.ts';

const enumsMatch = test.macro({
  exec(t, protoName: string, tsEnum: Readonly<Record<string, number>>) {
    t.deepEqual({ ...enumType(protoName).values }, { ...tsEnum });
  },
  title: (_title, protoName) => `${protoName} matches its TypeScript const`,
});

test(enumsMatch, 'flow.Verdict', Verdict);
test(enumsMatch, 'flow.FlowType', FlowType);
test(enumsMatch, 'flow.L7FlowType', L7FlowType);
test(enumsMatch, 'flow.IPVersion', IPVersion);
test(enumsMatch, 'flow.TrafficDirection', TrafficDirection);
test(enumsMatch, 'flow.TraceObservationPoint', TraceObservationPoint);
test(enumsMatch, 'flow.LostEventSource', LostEventSource);
test(enumsMatch, 'flow.DropReason', DropReason);
test(enumsMatch, 'relay.NodeState', NodeState);

const fieldNumbers = test.macro({
  exec(t, typeName: string, expected: Record<string, number>) {
    const type = messageType(typeName);
    const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, type.fields[k]?.id]));
    t.deepEqual(actual, expected);
  },
  title: (_title, typeName) => `${typeName} field numbers`,
});

test(fieldNumbers, 'flow.Flow', {
  time: 1, uuid: 34, verdict: 2, drop_reason: 3, ethernet: 4, IP: 5, l4: 6, source: 8, destination: 9, Type: 10,
  node_name: 11, source_names: 13, destination_names: 14, l7: 15, reply: 16, event_type: 19, source_service: 20,
  destination_service: 21, traffic_direction: 22, policy_match_type: 23, trace_observation_point: 24,
  drop_reason_desc: 25, is_reply: 26, interface: 28, node_labels: 37, Summary: 100000, egress_allowed_by: 21001,
  ingress_allowed_by: 21002, egress_denied_by: 21004, ingress_denied_by: 21005,
});
test(fieldNumbers, 'flow.FlowFilter', {
  source_ip: 1, source_pod: 2, destination_ip: 3, destination_pod: 4, verdict: 5, event_type: 6, source_fqdn: 7,
  destination_fqdn: 8, http_status_code: 9, source_label: 10, destination_label: 11, protocol: 12, source_port: 13,
  destination_port: 14, reply: 15, source_service: 16, destination_service: 17, dns_query: 18, source_identity: 19,
  destination_identity: 20, http_method: 21, http_path: 22, tcp_flags: 23, node_name: 24, ip_version: 25,
  source_workload: 26, destination_workload: 27, traffic_direction: 30, http_url: 31, drop_reason_desc: 33,
  interface: 35, node_labels: 36,
});
test(fieldNumbers, 'observer.GetFlowsRequest', {
  number: 1, first: 9, follow: 3, blacklist: 5, whitelist: 6, since: 7, until: 8, field_mask: 10,
});
test(fieldNumbers, 'observer.ServerStatusResponse', {
  num_flows: 1, max_flows: 2, seen_flows: 3, uptime_ns: 4, num_connected_nodes: 5, num_unavailable_nodes: 6,
  unavailable_nodes: 7, version: 8, flows_rate: 9,
});
test(fieldNumbers, 'flow.Endpoint', { ID: 1, identity: 2, namespace: 3, labels: 4, pod_name: 5, workloads: 6, cluster_name: 7 });
test(fieldNumbers, 'flow.Layer7', { type: 1, latency_ns: 2, dns: 100, http: 101 });
test(fieldNumbers, 'flow.LostEvent', { source: 1, num_events_lost: 2, cpu: 3, first: 4, last: 5 });

test('GetFlowsRequest keeps field 2 reserved', (t) => {
  t.true(messageType('observer.GetFlowsRequest').isReservedId(2));
  t.true([7, 12, 17, 18].every((id) => messageType('flow.Flow').isReservedId(id)));
});
