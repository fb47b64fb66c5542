// THE table of views: number key, `:command` names, title, component, own key bindings, status
// line. The key handler, the tabs, the command bar and the help screen all read it.
import type { Binding } from '../model/keys.ts';
import { ConnectionsView } from './connections-view.tsx';
import { EndpointsView } from './endpoints-view.tsx';
import { FlowsView, flowsStatus } from './flows-view.tsx';
import { MapsView } from './maps-view.tsx';
import { ServiceMapView } from './service-map-view.tsx';
import { VerdictsView } from './verdicts-view.tsx';
import type { ViewSpec } from './view-props.ts';

const SORT: Binding[] = [
  { keys: ['s'], description: 'sort by the next column', action: { type: 'sort' } },
  { keys: ['r'], description: 'reverse the sort order', action: { type: 'reverseSort' } },
];

export const VIEWS: readonly ViewSpec[] = [
  {
    id: 'flows', key: '1', title: 'Flows', commands: ['flows', 'flow', 'fl', 'f'], Component: FlowsView, bindings: [],
    status: (s, store) => flowsStatus(s, store.flows.size),
  },
  {
    id: 'endpoints', key: '2', title: 'Endpoints', commands: ['endpoints', 'endpoint', 'ep', 'e'], Component: EndpointsView, bindings: SORT,
    status: (s) => (s.filters['endpoints'] ? `filter: ${s.filters['endpoints']}` : 'enter: policy entries and recent flows'),
  },
  {
    id: 'maps', key: '3', title: 'Maps', commands: ['maps', 'map', 'm'], Component: MapsView,
    bindings: [
      ...SORT,
      { keys: ['n'], description: 'next page of map entries', action: { type: 'detailPage', delta: 1 } },
      { keys: ['p'], description: 'previous page of map entries', action: { type: 'detailPage', delta: -1 } },
    ],
    status: (s) => (s.filters['maps'] ? `filter: ${s.filters['maps']}` : 'enter: map entries'),
  },
  {
    id: 'verdicts', key: '4', title: 'Verdicts', commands: ['verdicts', 'verdict', 'policy', 'v'], Component: VerdictsView,
    bindings: [{ keys: ['tab'], description: 'by policy, by endpoint pair, latest denials', action: { type: 'cycleTable' } }],
    status: (s) => (s.filters['verdicts'] ? `filter: ${s.filters['verdicts']}` : 'enter: the denials behind a row'),
  },
  {
    id: 'connections', key: '5', title: 'Conns', commands: ['connections', 'connection', 'conn', 'c'], Component: ConnectionsView, bindings: [],
    status: (s, store) => `${store.connections.rows.size} connections${s.filters['connections'] ? `, filter: ${s.filters['connections']}` : ''}  enter: figures and latest flows`,
  },
  {
    id: 'servicemap', key: '6', title: 'Svc map', commands: ['servicemap', 'service-map', 'svcmap', 'sm'], Component: ServiceMapView, bindings: [],
    status: (s) => (s.filters['servicemap'] ? `namespace: ${s.filters['servicemap']}` : '/: namespace  ─✗ drops  ─! 5xx or DNS errors'),
  },
];
