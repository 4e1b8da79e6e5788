// /targets: the active targets of /api/v1/targets by scrape pool, with health,
// last scrape, duration, last error and labels; a text filter (labels, URL,
// error) and an "unhealthy only" switch. /service-discovery: each target's
// discovered labels beside its target labels, or "dropped".
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { ago, formatDuration, Metric } from '../format';
import { failure, healthBadge, labelBadges, loading, title } from '../page';

interface Target {
  discoveredLabels: Metric;
  labels: Metric;
  scrapePool: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  scrapeInterval?: string;
  scrapeTimeout?: string;
}
interface TargetsData {
  activeTargets: Target[];
  droppedTargets: { discoveredLabels: Metric; scrapePool?: string }[];
  droppedTargetCounts?: Record<string, number>;
}

function byPool<T>(items: T[], pool: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = pool(t);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(t);
  }
  return new Map([...m.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}

function matches(t: Target, needle: string): boolean {
  if (!needle) return true;
  const hay = [t.scrapeUrl, t.lastError, ...Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`)].join(' ').toLowerCase();
  return needle
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

export async function targetsPage(root: HTMLElement): Promise<void> {
  clear(root, title('Targets'), loading());
  const r = await apiGet<TargetsData>('targets', { state: 'active' });
  if (!r.ok) return clear(root, title('Targets'), failure('Cannot load targets', r));
  const targets = r.data!.activeTargets ?? [];
  const filter = h('input', { class: 'filter', type: 'search', placeholder: 'Filter by endpoint, labels or error' });
  const unhealthy = h('input', { type: 'checkbox', class: 'unhealthy-only' });
  const body = h('div', { class: 'pools' });
  const draw = () => {
    const needle = filter.value.trim();
    const pools = byPool(targets, (t) => t.scrapePool);
    clear(body);
    if (pools.size === 0) body.appendChild(h('div', { class: 'empty' }, 'No targets.'));
    for (const [pool, all] of pools) {
      const shown = all.filter((t) => matches(t, needle) && (!unhealthy.checked || t.health !== 'up'));
      if (shown.length === 0 && (needle || unhealthy.checked)) continue;
      const up = all.filter((t) => t.health === 'up').length;
      body.appendChild(
        h(
          'details',
          { class: 'pool', open: true, 'data-pool': pool },
          h('summary', null, h('b', null, pool), ` (${up}/${all.length} up)`),
          h(
            'table',
            { class: 'list targets' },
            h('thead', null, h('tr', null, ...['Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error'].map((c) => h('th', null, c)))),
            h(
              'tbody',
              null,
              ...shown.map((t) =>
                h(
                  'tr',
                  { class: 'target' },
                  h('td', null, h('a', { href: t.scrapeUrl }, t.scrapeUrl)),
                  h('td', null, healthBadge(t.health)),
                  h('td', null, labelBadges(t.labels)),
                  h('td', null, ago(t.lastScrape)),
                  h('td', null, t.lastScrapeDuration ? formatDuration(t.lastScrapeDuration) : '—'),
                  h('td', { class: 'error-text' }, t.lastError)
                )
              )
            )
          )
        )
      );
    }
  };
  filter.addEventListener('input', draw);
  unhealthy.addEventListener('change', draw);
  clear(root, title('Targets'), h('div', { class: 'toolbar' }, filter, h('label', null, unhealthy, ' Unhealthy only')), body);
  draw();
}

export async function serviceDiscoveryPage(root: HTMLElement): Promise<void> {
  const t = () => title('Service discovery');
  clear(root, t(), loading());
  const r = await apiGet<TargetsData>('targets', { state: 'any' });
  if (!r.ok) return clear(root, t(), failure('Cannot load targets', r));
  const active = (r.data!.activeTargets ?? []).map((x) => ({ pool: x.scrapePool, disc: x.discoveredLabels, labels: x.labels as Metric | null }));
  const dropped = (r.data!.droppedTargets ?? []).map((x) => ({ pool: x.scrapePool ?? x.discoveredLabels.job ?? '', disc: x.discoveredLabels, labels: null }));
  const pools = byPool([...active, ...dropped], (x) => x.pool);
  clear(
    root,
    t(),
    h('ul', { class: 'pool-index' }, ...[...pools].map(([p, xs]) => h('li', null, `${p} (${xs.filter((x) => x.labels).length} / ${xs.length} active targets)`))),
    ...[...pools].map(([p, xs]) =>
      h(
        'details',
        { class: 'pool', open: true },
        h('summary', null, h('b', null, p)),
        h(
          'table',
          { class: 'list' },
          h('thead', null, h('tr', null, h('th', null, 'Discovered labels'), h('th', null, 'Target labels'))),
          h('tbody', null, ...xs.map((x) => h('tr', null, h('td', null, labelBadges(x.disc)), h('td', null, x.labels ? labelBadges(x.labels) : h('span', { class: 'badge meh' }, 'DROPPED')))))
        )
      )
    )
  );
}
