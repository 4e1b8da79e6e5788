// The table view of an instant query: one row per series (or the scalar or
// string), values as Prometheus prints them.
import { h } from '../dom';
import { formatSeries, formatTime, Metric } from '../format';

export interface QueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}
type Sample = [number, string];
type Hist = [number, { count: string; sum: string }];
interface SeriesResult {
  metric: Metric;
  value?: Sample;
  values?: Sample[];
  histogram?: Hist;
  histograms?: Hist[];
}

// More rows than this make the browser crawl; the rest is counted, not drawn.
const kMaxRows = 10000;

export function renderTable(data: QueryData): HTMLElement {
  const rows: HTMLElement[] = [];
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    const [, v] = data.result as Sample;
    rows.push(h('tr', null, h('td', { class: 'series' }, data.resultType), h('td', { class: 'value' }, v)));
  } else {
    for (const s of (data.result as SeriesResult[]).slice(0, kMaxRows)) {
      let value: HTMLElement;
      if (s.value) value = h('span', null, s.value[1]);
      else if (s.histogram) value = h('span', null, `histogram count=${s.histogram[1].count} sum=${s.histogram[1].sum}`);
      else {
        const lines = (s.values ?? []).map(([t, v]) => `${v} @${t}`);
        for (const [t, hv] of s.histograms ?? []) lines.push(`histogram count=${hv.count} sum=${hv.sum} @${t}`);
        value = h('span', { class: 'values' }, lines.join('\n'));
      }
      rows.push(h('tr', null, h('td', { class: 'series' }, formatSeries(s.metric)), h('td', { class: 'value' }, value)));
    }
  }
  const total = Array.isArray(data.result) && data.resultType !== 'scalar' && data.resultType !== 'string' ? (data.result as unknown[]).length : 1;
  return h(
    'div',
    { class: 'table-view' },
    rows.length === 0 ? h('div', { class: 'empty' }, 'Empty query result') : null,
    h('table', { class: 'result-table', 'data-rows': total }, h('tbody', null, ...rows)),
    total > kMaxRows ? h('div', { class: 'notice warning' }, `Showing ${kMaxRows} of ${total} series.`) : null
  );
}

export function evalTimeNote(ms: number | null): string {
  return ms === null ? 'Evaluated now' : 'Evaluated at ' + formatTime(ms);
}
