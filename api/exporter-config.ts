// The flow exporter's configuration, shared by install (values agent.exporter, checked before
// anything is applied) and the agent (ConfigMap keys export-*): Hubble's file exporter settings.
// Filters are FlowFilters in ProtoJSON (as Hubble's allowList/denyList take them, objects or JSON
// strings); the field mask lists Flow field paths. Everything is checked here, so an agent never
// starts with an exporter it cannot run.
import type { FlowFilter } from './types.ts';
import { fromProtoJson } from './json-decode.ts';
import { compileFilters } from './filter/filter.ts';
import { messageType } from './schema.ts';
import type protobuf from 'protobufjs';

export interface ExporterValues {
  enabled: boolean;
  filePath: string;
  maxSizeMb: number;
  maxBackups: number;
  allowList: unknown[];
  denyList: unknown[];
  fieldMask: string[];
}

export interface ExporterConfig {
  filePath: string;
  maxSizeBytes: number;
  maxBackups: number;
  allowList: FlowFilter[];
  denyList: FlowFilter[];
  fieldMask: string[];
}

/** The host directory the agent shares (api/config.ts RUN_DIR): an export file must be under it to outlive the pod. */
export const EXPORT_DIR = '/var/run/netobs/';

function filters(key: string, list: unknown[]): FlowFilter[] {
  return list.map((item, i) => {
    const at = `${key}[${i}]`;
    let json = item;
    if (typeof item === 'string') {
      try {
        json = JSON.parse(item);
      } catch (err) {
        throw new Error(`${at}: not JSON: ${(err as Error).message}`);
      }
    }
    return fromProtoJson<FlowFilter>('flow.FlowFilter', json, at);
  });
}

function checkPath(path: string): void {
  let type: protobuf.Type | undefined = messageType('flow.Flow');
  type.resolveAll();
  for (const seg of path.split('.')) {
    const field: protobuf.Field | undefined = type?.fields[seg];
    if (!type || !field) throw new Error(`fieldMask: "${path}": ${type ? `${type.name} has no field "${seg}"` : 'goes below a scalar field'}`);
    type = field.resolvedType && !('values' in field.resolvedType) ? (field.resolvedType as protobuf.Type) : undefined;
  }
}

/** Checks the values; throws an Error whose one-line message names the key (below agent.exporter). */
export function exporterConfig(v: ExporterValues): ExporterConfig {
  if (!v.filePath.startsWith(EXPORT_DIR) || v.filePath.includes('..') || v.filePath.endsWith('/')) {
    throw new Error(`filePath: "${v.filePath}" must be a file under ${EXPORT_DIR} (the host directory the agent mounts)`);
  }
  if (!(v.maxSizeMb > 0) || v.maxSizeMb > 10_240) throw new Error(`maxSizeMb: ${v.maxSizeMb} must be more than 0 and at most 10240`);
  if (!Number.isInteger(v.maxBackups) || v.maxBackups < 0 || v.maxBackups > 1000) throw new Error(`maxBackups: ${v.maxBackups} must be an integer from 0 to 1000`);
  const allowList = filters('allowList', v.allowList);
  const denyList = filters('denyList', v.denyList);
  try {
    compileFilters(allowList, denyList);
  } catch (err) {
    throw new Error(`allowList/denyList: ${(err as Error).message}`);
  }
  for (const p of v.fieldMask) checkPath(p);
  return { filePath: v.filePath, maxSizeBytes: Math.round(v.maxSizeMb * 1024 * 1024), maxBackups: v.maxBackups, allowList, denyList, fieldMask: [...v.fieldMask] };
}

/** ConfigMap keys (export-file-path empty: no exporter). */
export function renderExporterData(v: ExporterValues): Record<string, string> {
  return {
    'export-file-path': v.enabled ? v.filePath : '',
    'export-file-max-size-mb': String(v.maxSizeMb),
    'export-file-max-backups': String(v.maxBackups),
    'export-allowlist': JSON.stringify(v.allowList.map((f) => (typeof f === 'string' ? JSON.parse(f) : f))),
    'export-denylist': JSON.stringify(v.denyList.map((f) => (typeof f === 'string' ? JSON.parse(f) : f))),
    'export-fieldmask': v.fieldMask.join(','),
  };
}

/** The exporter configuration from the ConfigMap's data, or undefined when there is none. */
export function parseExporterData(data: Record<string, string | undefined>): ExporterConfig | undefined {
  const path = data['export-file-path']?.trim() ?? '';
  if (path === '') return undefined;
  const list = (k: string): unknown[] => {
    const parsed: unknown = JSON.parse(data[k]?.trim() || '[]');
    if (!Array.isArray(parsed)) throw new Error(`key ${k}: expected a JSON list`);
    return parsed;
  };
  return exporterConfig({
    enabled: true, filePath: path,
    maxSizeMb: Number(data['export-file-max-size-mb'] ?? '10'), maxBackups: Number(data['export-file-max-backups'] ?? '5'),
    allowList: list('export-allowlist'), denyList: list('export-denylist'),
    fieldMask: (data['export-fieldmask'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  });
}
