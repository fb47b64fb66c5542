// The flow exporter's settings as install's values hold them (agent.exporter) and as the
// ConfigMap carries them (keys export-*). Light on purpose (no protobuf schema): api/config.ts
// reads them at start-up; api/exporter-config.ts checks them.

export interface ExporterValues {
  enabled: boolean;
  filePath: string;
  maxSizeMb: number;
  maxBackups: number;
  allowList: unknown[];
  denyList: unknown[];
  fieldMask: string[];
}

/** The host directory the agent shares (api/config.ts RUN_DIR): an export file must be under it to outlive the pod. */
export const EXPORT_DIR = '/var/run/netobs/';

export const DEFAULT_EXPORTER_VALUES: ExporterValues = {
  enabled: false, filePath: '/var/run/netobs/flows/events.log', maxSizeMb: 10, maxBackups: 5, allowList: [], denyList: [], fieldMask: [],
};

const asFilter = (f: unknown): unknown => (typeof f === 'string' ? JSON.parse(f) : f);

/** ConfigMap keys (export-file-path empty: no exporter). */
export function renderExporterData(v: ExporterValues): Record<string, string> {
  return {
    'export-file-path': v.enabled ? v.filePath : '',
    'export-file-max-size-mb': String(v.maxSizeMb),
    'export-file-max-backups': String(v.maxBackups),
    'export-allowlist': JSON.stringify(v.allowList.map(asFilter)),
    'export-denylist': JSON.stringify(v.denyList.map(asFilter)),
    'export-fieldmask': v.fieldMask.join(','),
  };
}

/** The exporter settings from the ConfigMap's data (unchecked), or undefined when there is no exporter. */
export function parseExporterData(data: Record<string, string | undefined>): ExporterValues | undefined {
  const filePath = data['export-file-path']?.trim() ?? '';
  if (filePath === '') return undefined;
  const list = (k: string): unknown[] => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data[k]?.trim() || '[]');
    } catch (err) {
      throw new Error(`key ${k}: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`key ${k}: expected a JSON list`);
    return parsed;
  };
  return {
    enabled: true, filePath,
    maxSizeMb: Number(data['export-file-max-size-mb'] ?? '10'), maxBackups: Number(data['export-file-max-backups'] ?? '5'),
    allowList: list('export-allowlist'), denyList: list('export-denylist'),
    fieldMask: (data['export-fieldmask'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
