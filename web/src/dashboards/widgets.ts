// The single-value and tabular panels: stat, gauge, bar gauge, table, pie
// chart and text. Each reduces its frames with Grafana's reducers and
// colours values by thresholds and value mappings.
import { h } from '../dom';
import { display, FieldConfig, fieldFor, seriesColorFor, thresholdColor } from './fields';
import { htmlAsText, renderMarkdown } from './markdown';
import { Frame, reduce } from './query';
import { seriesColor } from './units';

type Json = Record<string, unknown>;
const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

interface Reduced {
  name: string;
  value: number | null;
  field: FieldConfig;
  index: number;
}

function reduced(panel: Json, frames: Frame[]): Reduced[] {
  const ro = ((panel.options as Json)?.reduceOptions ?? {}) as Json;
  const calc = Array.isArray(ro.calcs) && ro.calcs.length ? String(ro.calcs[0]) : 'lastNotNull';
  // `values: true` shows every row instead of one reduced value per series.
  if (ro.values === true) {
    const out: Reduced[] = [];
    frames.forEach((f, i) => f.values.forEach((v) => out.push({ name: f.name, value: v, field: fieldFor(panel, f.name, f.refId), index: i })));
    return out.slice(0, Number(ro.limit) > 0 ? Number(ro.limit) : 50);
  }
  return frames.map((f, i) => {
    const field = fieldFor(panel, f.name, f.refId);
    return { name: field.displayName ?? f.name, value: reduce(f.values, calc), field, index: i };
  });
}

export function renderStat(panel: Json, frames: Frame[], el: HTMLElement): void {
  const opts = (panel.options ?? {}) as Json;
  const items = reduced(panel, frames).slice(0, 40);
  const colorMode = String(opts.colorMode ?? 'value');
  const textMode = String(opts.textMode ?? 'auto');
  const box = h('div', { class: 'stat-grid' + (opts.orientation === 'horizontal' ? ' horizontal' : '') });
  for (const it of items) {
    const d = display(it.field, it.value);
    const color = d.color ?? (it.field.color?.mode === 'fixed' ? seriesColorFor(it.field, it.index) : thresholdColor(it.field, it.value, it.field.min ?? 0, it.field.max ?? 100));
    const showName = textMode === 'value_and_name' || textMode === 'name' || (textMode === 'auto' && items.length > 1);
    const cell = h(
      'div',
      { class: 'stat', style: colorMode === 'background' ? `background:${color};color:#fff` : '' },
      showName ? h('div', { class: 'stat-name' }, it.name) : null,
      textMode === 'name' ? null : h('div', { class: 'stat-value', style: colorMode === 'value' ? `color:${color}` : '' }, d.text)
    );
    box.appendChild(cell);
  }
  el.appendChild(box);
}

export function renderGauge(panel: Json, frames: Frame[], el: HTMLElement): void {
  const box = h('div', { class: 'stat-grid' });
  for (const it of reduced(panel, frames).slice(0, 12)) {
    const min = it.field.min ?? 0;
    const max = it.field.max ?? 100;
    const d = display(it.field, it.value);
    const color = d.color ?? thresholdColor(it.field, it.value, min, max);
    const frac = it.value === null ? 0 : Math.max(0, Math.min(1, (it.value - min) / (max - min || 1)));
    // A 240° arc: the track, then the value's share in its threshold colour.
    const arc = (from: number, to: number) => {
      const a0 = ((150 + from * 240) * Math.PI) / 180;
      const a1 = ((150 + to * 240) * Math.PI) / 180;
      const p = (a: number) => `${50 + 40 * Math.cos(a)} ${50 + 40 * Math.sin(a)}`;
      return `M ${p(a0)} A 40 40 0 ${(to - from) * 240 > 180 ? 1 : 0} 1 ${p(a1)}`;
    };
    const g = svg('svg', { viewBox: '0 0 100 90', class: 'gauge-svg' });
    g.appendChild(svg('path', { d: arc(0, 1), stroke: '#e5e7eb', 'stroke-width': 10, fill: 'none' }));
    if (frac > 0.001) g.appendChild(svg('path', { d: arc(0, frac), stroke: color, 'stroke-width': 10, fill: 'none' }));
    // The value inside the arc, so it scales with the gauge and is never cut off.
    const text = svg('text', { x: 50, y: 58, 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 600, fill: color, class: 'stat-value' });
    text.textContent = d.text;
    g.appendChild(text);
    const cell = h('div', { class: 'gauge' }, h('div', { class: 'stat-name' }, it.name));
    cell.prepend(g);
    box.appendChild(cell);
  }
  el.appendChild(box);
}

export function renderBarGauge(panel: Json, frames: Frame[], el: HTMLElement): void {
  const vertical = ((panel.options as Json)?.orientation ?? 'horizontal') === 'vertical';
  const items = reduced(panel, frames).slice(0, 60);
  const box = h('div', { class: 'bargauge' + (vertical ? ' vertical' : '') });
  const maxV = Math.max(0, ...items.map((i) => i.value ?? 0));
  for (const it of items) {
    const min = it.field.min ?? 0;
    const max = it.field.max ?? (maxV || 1);
    const frac = it.value === null ? 0 : Math.max(0, Math.min(1, (it.value - min) / (max - min || 1)));
    const d = display(it.field, it.value);
    const color = d.color ?? thresholdColor(it.field, it.value, min, max);
    const size = `${(frac * 100).toFixed(1)}%`;
    box.appendChild(
      h(
        'div',
        { class: 'bar-row' },
        h('div', { class: 'bar-name' }, it.name),
        h('div', { class: 'bar-track' }, h('div', { class: 'bar-fill', style: `${vertical ? 'height' : 'width'}:${size};background:${color}` })),
        h('div', { class: 'stat-value bar-value', style: `color:${color}` }, d.text)
      )
    );
  }
  el.appendChild(box);
}

export function renderPie(panel: Json, frames: Frame[], el: HTMLElement): void {
  const items = reduced(panel, frames).filter((i) => i.value !== null && i.value > 0);
  const total = items.reduce((a, i) => a + (i.value ?? 0), 0);
  const donut = ((panel.options as Json)?.pieType ?? 'pie') === 'donut';
  const g = svg('svg', { viewBox: '0 0 100 100', class: 'pie-svg' });
  let a = -Math.PI / 2;
  items.forEach((it, k) => {
    const share = (it.value ?? 0) / (total || 1);
    const color = it.field.color?.mode === 'fixed' ? seriesColorFor(it.field, k) : seriesColor(it.index);
    const a1 = a + share * 2 * Math.PI;
    const p = (ang: number) => `${50 + 45 * Math.cos(ang)} ${50 + 45 * Math.sin(ang)}`;
    const d = share >= 0.9999 ? `M 50 5 A 45 45 0 1 1 49.99 5 Z` : `M 50 50 L ${p(a)} A 45 45 0 ${share > 0.5 ? 1 : 0} 1 ${p(a1)} Z`;
    const path = svg('path', { d, fill: color });
    const title = svg('title', {});
    title.textContent = `${it.name}: ${display(it.field, it.value).text}`;
    path.appendChild(title);
    g.appendChild(path);
    a = a1;
  });
  if (donut) g.appendChild(svg('circle', { cx: 50, cy: 50, r: 25, fill: '#fff' }));
  const legend = h(
    'div',
    { class: 'pie-legend' },
    ...items.map((it, k) =>
      h('div', null, h('span', { class: 'swatch', style: `background:${it.field.color?.mode === 'fixed' ? seriesColorFor(it.field, k) : seriesColor(it.index)}` }), ` ${it.name}: `, h('span', { class: 'stat-value' }, display(it.field, it.value).text))
    )
  );
  const wrap = h('div', { class: 'pie' }, legend);
  wrap.prepend(g);
  el.appendChild(wrap);
}

// Tables: instant results one row per series (several targets joined on
// their labels as "Value #A", "Value #B"), range results one row per sample.
export function renderTable(panel: Json, frames: Frame[], instant: boolean, el: HTMLElement): void {
  const refs = [...new Set(frames.map((f) => f.refId))];
  const labelKeys = [...new Set(frames.flatMap((f) => Object.keys(f.labels)))].sort((a, b) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a < b ? -1 : 1));
  const valueCol = (ref: string) => (refs.length > 1 ? `Value #${ref}` : 'Value');
  let cols: string[];
  let rows: Record<string, string | number | null>[] = [];
  if (instant) {
    cols = ['Time', ...labelKeys, ...refs.map(valueCol)];
    const byKey = new Map<string, Record<string, string | number | null>>();
    for (const f of frames) {
      const key = JSON.stringify(labelKeys.map((k) => (k === '__name__' ? '' : f.labels[k] ?? '')));
      let row = byKey.get(key);
      if (!row) {
        row = { Time: f.times[0] ?? null, ...f.labels };
        byKey.set(key, row);
        rows.push(row);
      }
      row[valueCol(f.refId)] = f.values[0] ?? null;
    }
  } else {
    cols = ['Time', ...labelKeys, 'Value'];
    for (const f of frames) f.times.forEach((t, i) => rows.push({ Time: t, ...f.labels, Value: f.values[i] }));
  }
  // Grafana's "organize fields" transformation: hidden and renamed columns.
  const names: Record<string, string> = {};
  for (const t of (Array.isArray(panel.transformations) ? panel.transformations : []) as Json[]) {
    if (t.id !== 'organize') continue;
    const o = (t.options ?? {}) as Json;
    const ex = (o.excludeByName ?? {}) as Record<string, boolean>;
    cols = cols.filter((c) => !ex[c]);
    Object.assign(names, o.renameByName ?? {});
  }
  const kMaxRows = 500;
  const total = rows.length;
  rows = rows.slice(0, kMaxRows);
  const cell = (c: string, v: string | number | null | undefined) => {
    if (c === 'Time') return h('td', null, typeof v === 'number' ? new Date(v).toISOString().replace('T', ' ').slice(0, 19) : '');
    const f = fieldFor(panel, names[c] ?? c, '');
    if (typeof v === 'number' || v === null) {
      const d = display(f, v ?? null);
      const mode = String(((f.custom?.cellOptions as Json)?.type ?? f.custom?.displayMode) ?? '');
      const color = d.color ?? (mode.includes('background') || mode.includes('color') ? thresholdColor(f, v ?? null, f.min, f.max) : undefined);
      const style = color ? (mode.includes('background') ? `background:${color};color:#fff` : `color:${color}`) : '';
      return h('td', { class: 'num', style }, d.text);
    }
    const mapped = display(f, null);
    void mapped;
    return h('td', null, String(v ?? ''));
  };
  el.appendChild(
    h(
      'div',
      { class: 'dash-table-wrap' },
      h(
        'table',
        { class: 'dash-table', 'data-rows': total },
        h('thead', null, h('tr', null, ...cols.map((c) => h('th', null, names[c] || c)))),
        h('tbody', null, ...rows.map((r) => h('tr', null, ...cols.map((c) => cell(c, r[c])))))
      ),
      total > kMaxRows ? h('div', { class: 'muted' }, `Showing ${kMaxRows} of ${total} rows.`) : null
    )
  );
}

export function renderText(panel: Json, interp: (s: string) => string, el: HTMLElement): void {
  const o = (panel.options ?? {}) as Json;
  const content = interp(String(o.content ?? panel.content ?? ''));
  const mode = String(o.mode ?? panel.mode ?? 'markdown');
  el.appendChild(mode === 'html' ? htmlAsText(content) : mode === 'code' ? h('pre', null, content) : renderMarkdown(content));
}
