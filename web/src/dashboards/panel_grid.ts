// Lays out a dashboard's sections and panels on Grafana's 24-column grid
// (30 px rows), repeats panels and rows by variable, expands collapsed rows
// on click, and fills every panel: queries, then the renderer of its type,
// or a placeholder for types Strata does not render (never a blank box).
import { h, clear } from '../dom';
import { renderHeatmap, renderTimeseries } from './charts';
import { GridPos, relative, Section, sections } from './layout';
import { PanelData, queryPanel, QueryContext } from './query';
import { TimeRange } from './time';
import { interpolate, selectedValues, VarState } from './vars';
import { renderBarGauge, renderGauge, renderPie, renderStat, renderTable, renderText } from './widgets';

type Json = Record<string, unknown>;

export interface ViewState {
  dash: Json;
  from: string;
  to: string;
  refresh: string;
  vars: VarState[];
  scrapeIntervalMs: number;
  range: TimeRange;
}

const kCellHeightPx = 30;
// An uploaded file can hold anything: more panels (or repeats) than this
// would only flood the server with queries, so the rest are not drawn.
const kMaxPanels = 500;
const kMaxRepeats = 100;
const kSupported = new Set(['timeseries', 'graph', 'stat', 'singlestat', 'gauge', 'bargauge', 'table', 'table-old', 'heatmap', 'piechart', 'text']);
// Collapsed rows the user opened stay open across refreshes.
const expanded = new Set<string>();
let destroyers: (() => void)[] = [];

interface Placed {
  panel: Json;
  pos: GridPos;
  scoped?: Record<string, string>;
}

// Repeats: one copy of the panel per selected value of its variable, side by
// side (repeatDirection "h", at most maxPerRow, default 4) or stacked ("v");
// panels below move down by the extra height.
function expandRepeats(items: Placed[], vars: VarState[], scoped?: Record<string, string>): Placed[] {
  const out: Placed[] = [];
  let shift = 0;
  let shiftFrom = Infinity;
  for (const it of [...items].sort((a, b) => a.pos.y - b.pos.y || a.pos.x - b.pos.x)) {
    const pos = { ...it.pos, y: it.pos.y + (it.pos.y >= shiftFrom ? shift : 0) };
    const name = typeof it.panel.repeat === 'string' ? it.panel.repeat : '';
    const v = name ? vars.find((x) => x.name === name) : undefined;
    const values = v ? selectedValues(v).slice(0, kMaxRepeats) : [];
    if (!v || values.length === 0) {
      out.push({ ...it, pos, scoped });
      continue;
    }
    const vertical = it.panel.repeatDirection === 'v';
    const perRow = vertical ? 1 : Math.max(1, Number(it.panel.maxPerRow) || 4);
    const w = vertical ? pos.w : Math.max(1, Math.floor(24 / Math.min(values.length, perRow)));
    values.forEach((val, i) => {
      const col = i % perRow;
      const row = Math.floor(i / perRow);
      out.push({ panel: it.panel, pos: { x: vertical ? pos.x : col * w, y: pos.y + row * pos.h, w, h: pos.h }, scoped: { ...(scoped ?? {}), [name]: val } });
    });
    const rows = vertical ? values.length : Math.ceil(values.length / perRow);
    shift += (rows - 1) * pos.h;
    shiftFrom = Math.min(shiftFrom, it.pos.y + 1);
  }
  return out;
}

function sectionKey(s: Section, i: number): string {
  return `${i}:${String(s.row?.title ?? '')}`;
}

export function renderPanels(root: HTMLElement, st: ViewState, gen: number, currentGen: () => number): void {
  for (const d of destroyers) d();
  destroyers = [];
  clear(root);
  const ctxBase: QueryContext = { range: st.range, vars: st.vars, scrapeIntervalMs: st.scrapeIntervalMs };
  const secs = sections(st.dash);
  let drawn = 0;
  secs.forEach((sec, si) => {
    // Row repeats: the whole section once per value.
    const rowVar = typeof sec.row?.repeat === 'string' ? st.vars.find((v) => v.name === sec.row!.repeat) : undefined;
    const scopes: (Record<string, string> | undefined)[] = rowVar ? selectedValues(rowVar).map((val) => ({ [rowVar.name]: val })) : [undefined];
    scopes.forEach((scoped, ri) => {
      const key = sectionKey(sec, si) + (ri ? '#' + ri : '');
      const open = !sec.collapsed || expanded.has(key);
      if (sec.row) {
        const rowTitle = interpolate(String(sec.row.title ?? ''), st.vars, {}, scoped);
        root.appendChild(
          h(
            'div',
            {
              class: 'dash-row' + (open ? '' : ' collapsed'),
              'data-row-title': rowTitle,
              onclick: () => {
                if (!sec.collapsed) return;
                if (expanded.has(key)) expanded.delete(key);
                else expanded.add(key);
                renderPanels(root, st, gen, currentGen);
              },
            },
            (sec.collapsed ? (open ? '▾ ' : '▸ ') : '') + rowTitle,
            sec.collapsed ? h('span', { class: 'muted' }, ` (${sec.panels.length} panels)`) : null
          )
        );
      }
      if (!open) return;
      const placed = expandRepeats(relative(sec.panels), st.vars, scoped);
      const rows = Math.max(1, ...placed.map((p) => p.pos.y + p.pos.h));
      const gridEl = h('div', { class: 'dash-grid', style: `grid-template-rows: repeat(${rows}, ${kCellHeightPx}px)` });
      root.appendChild(gridEl);
      for (const p of placed) {
        if (++drawn > kMaxPanels) break;
        const el = panelShell(p, st);
        gridEl.appendChild(el);
        void fillPanel(el, p, { ...ctxBase, scoped: p.scoped }, gen, currentGen);
      }
    });
  });
  if (secs.length === 0) root.appendChild(h('div', { class: 'notice info' }, 'This dashboard has no panels.'));
  if (drawn > kMaxPanels) root.appendChild(h('div', { class: 'notice warning' }, `Only the first ${kMaxPanels} panels are shown.`));
}

function panelShell(p: Placed, st: ViewState): HTMLElement {
  const type = String(p.panel.type ?? '');
  const t = interpolate(String(p.panel.title ?? ''), st.vars, {}, p.scoped);
  return h(
    'div',
    {
      class: 'dash-panel',
      'data-panel-type': type,
      'data-panel-id': String(p.panel.id ?? ''),
      'data-state': 'loading',
      style: `grid-column: ${p.pos.x + 1} / span ${p.pos.w}; grid-row: ${p.pos.y + 1} / span ${p.pos.h}`,
    },
    h('div', { class: 'panel-title', title: String(p.panel.description ?? '') }, t),
    h('div', { class: 'panel-body' }, h('div', { class: 'loading' }, 'Loading…'))
  );
}

async function fillPanel(el: HTMLElement, p: Placed, ctx: QueryContext, gen: number, currentGen: () => number): Promise<void> {
  const body = el.querySelector('.panel-body') as HTMLElement;
  const type = String(p.panel.type ?? '');
  const state = (s: string) => el.setAttribute('data-state', s);
  if (!kSupported.has(type)) {
    clear(body, h('div', { class: 'placeholder' }, `panel type ${type || '(none)'} is not rendered by Strata`));
    state('unsupported');
    return;
  }
  if (type === 'text') {
    clear(body);
    renderText(p.panel, (s) => interpolate(s, ctx.vars, {}, ctx.scoped), body);
    state('data');
    return;
  }
  // Queries of other data sources (Loki, TestData, ...) have no `expr`:
  // say so instead of "No data".
  const targets = Array.isArray(p.panel.targets) ? (p.panel.targets as Json[]) : [];
  if (targets.length > 0 && !targets.some((t) => typeof t.expr === 'string')) {
    const ds = (p.panel.datasource ?? targets[0].datasource) as Json | string | undefined;
    const dsType = typeof ds === 'object' && ds ? String(ds.type ?? ds.uid ?? '') : String(ds ?? '');
    clear(body, h('div', { class: 'placeholder' }, `this panel's queries are not PromQL${dsType ? ` (data source ${dsType})` : ''}: Strata renders Prometheus queries only`));
    state('unsupported');
    return;
  }
  let data: PanelData;
  try {
    // Layout first: the query's resolution depends on the panel's width.
    await new Promise((r) => requestAnimationFrame(r));
    data = await queryPanel(p.panel, ctx, body.clientWidth || 400, false);
  } catch {
    return;
  }
  if (gen !== currentGen() || !el.isConnected) return;
  clear(body);
  if (data.errors.length) body.appendChild(h('div', { class: 'notice error panel-error' }, data.errors.join('\n')));
  if (data.frames.length === 0) {
    body.appendChild(h('div', { class: 'nodata' }, 'No data'));
    state(data.errors.length ? 'error' : 'nodata');
    return;
  }
  const content = h('div', { class: 'panel-content' });
  body.appendChild(content);
  try {
    switch (type) {
      case 'timeseries':
      case 'graph':
        destroyers.push(renderTimeseries(p.panel, data.frames, ctx.range, content));
        break;
      case 'heatmap':
        destroyers.push(renderHeatmap(p.panel, data.frames, content));
        break;
      case 'stat':
      case 'singlestat':
        renderStat(p.panel, data.frames, content);
        break;
      case 'gauge':
        renderGauge(p.panel, data.frames, content);
        break;
      case 'bargauge':
        renderBarGauge(p.panel, data.frames, content);
        break;
      case 'piechart':
        renderPie(p.panel, data.frames, content);
        break;
      default:
        renderTable(p.panel, data.frames, data.instant, content);
    }
    state(data.errors.length ? 'error' : 'data');
  } catch (e) {
    clear(body, h('div', { class: 'notice error panel-error' }, `cannot render this panel: ${(e as Error).message}`));
    state('error');
  }
}
