// /status (build and runtime information), /flags and /config, from
// /api/v1/status/{buildinfo,runtimeinfo,flags,config}.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { failure, kvTable, loading, title } from '../page';

async function section(name: string, endpoint: string, render: (d: Record<string, unknown>) => HTMLElement): Promise<HTMLElement> {
  const r = await apiGet<Record<string, unknown>>(endpoint);
  return h('section', { class: 'status-section', 'data-section': endpoint }, h('h2', null, name), r.ok ? render(r.data!) : failure(name, r));
}

const table = (d: Record<string, unknown>) =>
  kvTable(Object.entries(d).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : v]));

export async function statusPage(root: HTMLElement): Promise<void> {
  clear(root, title('Status'), loading());
  const parts = await Promise.all([section('Build information', 'status/buildinfo', table), section('Runtime information', 'status/runtimeinfo', table)]);
  clear(
    root,
    title('Status'),
    ...parts,
    h('p', null, 'See also ', h('a', { href: '/tsdb-status' }, 'TSDB status'), ', ', h('a', { href: '/flags' }, 'command-line flags'), ' and ', h('a', { href: '/config' }, 'configuration'), '.')
  );
}

export async function flagsPage(root: HTMLElement): Promise<void> {
  clear(root, title('Command-line flags'), loading());
  const r = await apiGet<Record<string, string>>('status/flags');
  if (!r.ok) return clear(root, title('Command-line flags'), failure('Cannot load flags', r));
  const filter = h('input', { class: 'filter', type: 'search', placeholder: 'Filter by flag name or value' });
  const body = h('div');
  const draw = () => {
    const needle = filter.value.toLowerCase();
    const rows = Object.entries(r.data!)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .filter(([k, v]) => (k + ' ' + v).toLowerCase().includes(needle));
    clear(body, kvTable(rows.map(([k, v]) => ['--' + k, v])));
  };
  filter.addEventListener('input', draw);
  clear(root, title('Command-line flags'), h('div', { class: 'toolbar' }, filter), body);
  draw();
}

export async function configPage(root: HTMLElement): Promise<void> {
  clear(root, title('Configuration'), loading());
  const r = await apiGet<{ yaml: string }>('status/config');
  if (!r.ok) return clear(root, title('Configuration'), failure('Cannot load the configuration', r));
  clear(root, title('Configuration'), h('pre', { class: 'config' }, r.data!.yaml));
}
