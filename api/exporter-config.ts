// The flow exporter's configuration, shared by install (values agent.exporter, checked before
// anything is applied) and the agent (ConfigMap keys export-*): Hubble's file exporter settings.
// Filters are FlowFilters in ProtoJSON (as Hubble's allowList/denyList take them, objects or JSON
// strings); the field mask lists Flow field paths. Everything is checked here, so an agent never
// starts with an exporter it cannot run.
import type { FlowFilter } from './types.ts';
import type { ExporterValues } from './exporter-values.ts';
export type { ExporterValues } from './exporter-values.ts';
import { fromProtoJson } from './json-decode.ts';
import { compileFilters } from './filter/filter.ts';
import { messageType } from './schema.ts';
import type protobuf from 'protobufjs';

export interface ExporterConfig {
  filePath: string;
  maxSizeBytes: number;
  maxBackups: number;
  allowList: FlowFilter[];
  denyList: FlowFilter[];
  fieldMask: string[];
}

import { EXPORT_DIR } from './exporter-values.ts';

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

