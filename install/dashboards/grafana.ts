// A small builder for Grafana dashboards (schema 39): time-series and stat panels on a 24-column
// grid, a Prometheus data-source variable, and query variables. Dashboards are data in TypeScript
// so they are bundled with the binary and their PromQL is unit-tested against the metric names.
// The output is typed by Grafana's own dashboard schema (@grafana/schema, generated from the CUE
// schema Grafana validates imports with), so the typecheck rejects a field Grafana does not know.
import type { Dashboard, Panel as GrafanaPanel, VariableModel } from '@grafana/schema';

export interface Panel {
  title: string;
  /** PromQL; $__rate_interval and the dashboard's variables may be used. */
  expr: string;
  legend?: string;
  unit?: string;
  kind?: 'timeseries' | 'stat';
  description?: string;
  /** Grid width (of 24). */
  width?: number;
}

export interface Variable {
  name: string;
  label: string;
  /** label_values(...) query. */
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  panels: Panel[];
  variables?: Variable[];
}

const DS = { type: 'prometheus', uid: '${datasource}' };

export function dashboard(spec: DashboardSpec): Dashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = spec.panels.map((p, i): GrafanaPanel => {
    const w = p.width ?? 12;
    const h = p.kind === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: i + 1,
      type: p.kind ?? 'timeseries',
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DS,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
      options: p.kind === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] } },
      targets: [{ refId: 'A', datasource: DS, expr: p.expr, legendFormat: p.legend ?? '__auto', range: true }],
    };
  });
  const variables: VariableModel[] = [
    { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', hide: 0 },
    ...(spec.variables ?? []).map((v) => ({
      name: v.name,
      label: v.label,
      type: 'query' as const,
      datasource: DS,
      query: { query: v.query, refId: 'A' },
      definition: v.query,
      includeAll: true,
      allValue: '.*',
      multi: true,
      refresh: 2,
      hide: 0,
    })),
  ];
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    timezone: 'browser',
    templating: { list: variables },
    panels,
  };
}
