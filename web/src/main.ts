// The UI's entry point: a navigation bar and a client-side router. The server
// answers every page path with the same index.html (server/ui_routes.cc), and
// the path picks the page, as in Prometheus 3's UI.
import './style.css';
import { h, clear } from './dom';
import { queryPage } from './query/query_page';
import { alertsPage } from './pages/alerts';
import { configPage, flagsPage, statusPage } from './pages/status';
import { rulesPage } from './pages/rules';
import { serviceDiscoveryPage, targetsPage } from './pages/targets';
import { tsdbStatusPage } from './pages/tsdb_status';
import { alertmanagersPage } from './pages/alertmanagers';
import { dashboardsPage } from './dashboards/dashboard_page';

type Page = (root: HTMLElement) => void | Promise<void>;

const pages: [string, string, Page][] = [
  ['/query', 'Query', queryPage],
  ['/dashboards', 'Dashboards', dashboardsPage],
  ['/alerts', 'Alerts', alertsPage],
  ['/rules', 'Rules', rulesPage],
  ['/targets', 'Targets', targetsPage],
  ['/service-discovery', 'Service discovery', serviceDiscoveryPage],
  ['/status', 'Status', statusPage],
  ['/tsdb-status', 'TSDB status', tsdbStatusPage],
  ['/flags', 'Flags', flagsPage],
  ['/config', 'Configuration', configPage],
  ['/alertmanager-discovery', 'Alertmanagers', alertmanagersPage],
];

function render(): void {
  const path = location.pathname;
  // /dashboards/<uid> belongs to /dashboards.
  const page = pages.find((p) => p[0] === path || path.startsWith(p[0] + '/')) ?? pages[0];
  clear(
    document.getElementById('nav')!,
    h('a', { class: 'brand', href: '/query' }, 'Strata'),
    ...pages.map(([p, name]) => h('a', { href: p, class: p === page[0] ? 'active' : '' }, name))
  );
  document.title = page[1] + ' - Strata';
  const root = document.getElementById('app')!;
  clear(root);
  void page[2](root);
}

render();
