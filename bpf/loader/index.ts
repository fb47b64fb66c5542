// The datapath loader's public surface, for the agent and the CLI.
export { Datapath, attachedInterfaces, ifindexOf, ifnameOf, MAP_NAMES, PROGRAM_NAMES } from './datapath.ts';
export type { DatapathOptions, MapName, MapSummary, MetricsRow, Hook } from './datapath.ts';
export type { IpcacheEntry, LbBackendAddr, LbFrontend, MapPage, PageCursor } from './datapath-maps.ts';
export type { PollOptions } from './event-reader.ts';
export { decodeEvent, EVENT_LAYOUT, EVENT_LAYOUT_VERSION, EventType, ObsPoint, EventFlags } from './events.ts';
export type { NetobsEvent } from './events.ts';
export {
  DEFAULT_CONFIG,
  Direction,
  DropReason,
  DROP_REASON_NAMES,
  EndpointFlags,
  CT_F_PROXY,
  L7_PROXY_MARK,
  MatchType,
  Verdict,
} from './layout.ts';
export type { ConntrackEntry, DatapathConfig, EndpointInfo, PolicyKey, PolicyValue } from './layout.ts';
export { LoadError, MissingFeatureError } from './errors.ts';
export { DEFAULT_BPFFS_ROOT } from './bpffs.ts';
export { formatIp, parseCidr, parseIp } from './addr.ts';
export type { TestRunOptions, TestRunResult } from './test-run.ts';
// Kernel access the agent needs beyond the Datapath object: which interfaces carry our programs
// (tc queries), pinned maps left by a previous agent, and the libbpf/libc handles for program info.
export { tcQuery, TC_EGRESS, TC_INGRESS } from './tc.ts';
export { loadLibbpf, loadLibc } from './libbpf.ts';
export { openPinnedMap, PageCursorError } from './bpf-map.ts';
export { EndpointMap } from './datapath-maps.ts';
export { programStats } from './prog-info.ts';
// The pinned datapath alone, for the CNI plugin (works while the agent is stopped).
export { PinnedDatapath } from './pinned.ts';
