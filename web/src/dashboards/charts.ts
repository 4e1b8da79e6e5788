// Time-series panels drawn with uPlot (timeseries and the legacy graph:
// lines, bars, points, stacking, units, min/max, legend) and the heatmap of
// `format: heatmap` bucket series, drawn on a canvas.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';
import { fieldFor, seriesColorFor } from './fields';
import { heatmapBuckets } from './heatmap_data';
import { Frame } from './query';
import { TimeRange } from './time';
import { formatUnit, grafanaColor } from './units';

type Json = Record<string, unknown>;

interface Style {
  draw: 'line' | 'bars' | 'points';
  fill: number; // 0..1
  width: number;
  stack: '' | 'normal' | 'percent';
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  legend: boolean;
}

function styleOf(panel: Json): Style {
  if (panel.type === 'graph') {
    const yaxis = (Array.isArray(panel.yaxes) ? (panel.yaxes as Json[])[0] : {}) ?? {};
    const n = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : Number(v));
    return {
      draw: panel.bars ? 'bars' : panel.lines === false && panel.points ? 'points' : 'line',
      fill: Number(panel.fill ?? 1) / 10,
      width: Number(panel.linewidth ?? 1),
      stack: panel.stack ? (panel.percentage ? 'percent' : 'normal') : '',
      unit: typeof yaxis.format === 'string' ? yaxis.format : undefined,
      decimals: n(yaxis.decimals),
      min: n(yaxis.min),
      max: n(yaxis.max),
      legend: ((panel.legend as Json) ?? {}).show !== false,
    };
  }
  const f = fieldFor(panel, '', '');
  const c = f.custom ?? {};
  const stacking = ((c.stacking as Json) ?? {}).mode as string;
  const legend = ((panel.options as Json)?.legend ?? {}) as Json;
  return {
    draw: c.drawStyle === 'bars' ? 'bars' : c.drawStyle === 'points' ? 'points' : 'line',
    fill: Number(c.fillOpacity ?? 0) / 100,
    width: Number(c.lineWidth ?? 1),
    stack: stacking === 'normal' || stacking === 'percent' ? stacking : '',
    unit: f.unit,
    decimals: f.decimals,
    min: f.min,
    max: f.max,
    legend: legend.showLegend !== false && legend.displayMode !== 'hidden',
  };
}

// Enough decimals to tell ticks apart (the unit's own scaling aside).
function tickDecimals(incr: number, unit: string | undefined): number | undefined {
  if (!(incr > 0) || incr >= 1 || (unit && unit !== 'short' && unit !== 'none' && !unit.startsWith('percent'))) return undefined;
  const scale = unit === 'percentunit' ? 100 : 1;
  return Math.min(10, Math.max(0, Math.ceil(-Math.log10(incr * scale))));
}

function alpha(color: string, a: number): string {
  if (/^#[0-9a-fA-F]{6}$/.test(color)) {
    return color + Math.round(Math.max(0, Math.min(1, a)) * 255).toString(16).padStart(2, '0');
  }
  return color;
}

export function renderTimeseries(panel: Json, frames: Frame[], range: TimeRange, el: HTMLElement): () => void {
  const st = styleOf(panel);
  // One shared x axis: the union of the frames' timestamps.
  const tset = new Set<number>();
  for (const f of frames) for (const t of f.times) tset.add(t);
  const xs = [...tset].sort((a, b) => a - b);
  const idx = new Map(xs.map((t, i) => [t, i]));
  const raw = frames.map((f) => {
    const ys: (number | null)[] = new Array(xs.length).fill(null);
    f.times.forEach((t, i) => {
      const v = f.values[i];
      ys[idx.get(t)!] = v === null || !isFinite(v) ? null : v;
    });
    return ys;
  });
  let drawn = raw;
  if (st.stack) {
    const totals = xs.map((_, i) => raw.reduce((a, ys) => a + (ys[i] ?? 0), 0));
    const acc = new Array(xs.length).fill(0);
    drawn = raw.map((ys) =>
      ys.map((v, i) => {
        if (v === null) return null;
        acc[i] += st.stack === 'percent' ? (totals[i] ? v / totals[i] : 0) : v;
        return acc[i];
      })
    );
  }
  const unit = st.stack === 'percent' ? 'percentunit' : st.unit;
  const fields = frames.map((f) => fieldFor(panel, f.name, f.refId));
  const bars = uPlot.paths.bars!({ size: [0.7, 60] });
  const series: uPlot.Series[] = [
    {},
    ...frames.map((f, i) => {
      // The legacy graph's colours by series name.
      const alias = ((panel.aliasColors ?? {}) as Record<string, unknown>)[f.name];
      const color = typeof alias === 'string' ? grafanaColor(alias) : seriesColorFor(fields[i], i);
      const s: uPlot.Series = {
        label: fields[i].displayName ?? f.name,
        stroke: color,
        width: st.width,
        fill: st.draw === 'bars' ? alpha(color, Math.max(st.fill, 0.6)) : st.fill > 0 || st.stack ? alpha(color, st.fill || 0.3) : undefined,
        spanGaps: false,
        value: (_u: uPlot, _v: number | null, _si: number, i2: number | null) => (i2 === null ? '' : formatUnit(raw[i][i2], fields[i].unit ?? st.unit, st.decimals)),
      };
      if (st.draw === 'bars') s.paths = bars;
      if (st.draw === 'points') {
        s.paths = () => null;
        s.points = { show: true, size: 5, fill: color };
      }
      return s;
    }),
  ];
  const scaleRange = (_u: uPlot, lo: number | null, hi: number | null): [number, number] => {
    if (st.stack === 'percent') return [0, 1];
    if (lo === null || hi === null || !isFinite(lo) || !isFinite(hi)) {
      lo = st.min ?? 0;
      hi = st.max ?? 1;
    }
    // uPlot's padded range; a flat or nearly flat series (values equal up to
    // rounding) gets 10% room around it, or the axis would need billions of
    // ticks that all read the same.
    if (hi - lo <= Math.abs(hi) * 1e-6) {
      const pad = Math.abs(hi) * 0.1 || 1;
      lo -= lo >= 0 && lo - pad < 0 ? lo : pad;
      hi += pad;
    }
    let [min, max] = uPlot.rangeNum(lo, hi, 0.1, true) as [number, number];
    if (st.draw === 'bars' && lo >= 0) min = 0;
    if (st.min !== undefined) min = st.min;
    if (st.max !== undefined) max = st.max;
    if (!(max > min) || !isFinite(min) || !isFinite(max)) return [min, min + 1];
    return [min, max];
  };
  const opts: uPlot.Options = {
    width: 400,
    height: 200,
    series,
    axes: [{ stroke: '#555', grid: { stroke: '#eee' } }, { stroke: '#555', grid: { stroke: '#eee' }, size: 70, values: (_u: uPlot, vals: number[], _ax: number, _space: number, incr: number) => vals.map((v) => formatUnit(v, unit, st.decimals ?? tickDecimals(incr, unit))) }],
    scales: { x: { time: true, range: () => [range.fromMs / 1000, range.toMs / 1000] }, y: { range: scaleRange } },
    legend: { show: st.legend, live: true },
    cursor: { focus: { prox: 16 } },
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
  let plot: uPlot | null = null;
  const draw = () => {
    const w = Math.max(120, el.clientWidth - 4);
    // The legend takes its own height; the plot gets the rest.
    const legendH = st.legend ? Math.min(90, 8 + 18 * Math.ceil(frames.length / Math.max(1, Math.floor(w / 220)))) : 0;
    const hgt = Math.max(60, el.clientHeight - legendH - 4);
    if (!plot) {
      opts.width = w;
      opts.height = hgt;
      plot = new uPlot(opts, [xs.map((t) => t / 1000), ...drawn] as uPlot.AlignedData, el);
    } else plot.setSize({ width: w, height: hgt });
  };
  const obs = new ResizeObserver(() => draw());
  // Drawn at once when the element is in the document (the panel's state
  // then says "data" only with the chart there), else on the next frame.
  const first = () => {
    draw();
    obs.observe(el);
  };
  if (el.isConnected) first();
  else requestAnimationFrame(first);
  return () => {
    obs.disconnect();
    plot?.destroy();
  };
}

export function renderHeatmap(panel: Json, frames: Frame[], el: HTMLElement): () => void {
  const { bounds, times, counts } = heatmapBuckets(frames);
  const canvas = h('canvas', { class: 'heatmap' });
  const axis = h('div', { class: 'heatmap-axis muted' }, `buckets (le): ${bounds[0] ?? ''} … ${bounds[bounds.length - 1] ?? ''}`);
  el.append(canvas, axis);
  const scheme = String(((panel.options as Json)?.color as Json)?.scheme ?? 'Oranges');
  const hue = /Blue/i.test(scheme) ? 210 : /Green/i.test(scheme) ? 120 : /Red/i.test(scheme) ? 0 : /Purple/i.test(scheme) ? 280 : 28;
  const draw = () => {
    const w = Math.max(100, el.clientWidth - 4);
    const hgt = Math.max(40, el.clientHeight - 24);
    canvas.width = w;
    canvas.height = hgt;
    const ctx = canvas.getContext('2d');
    if (!ctx || !times.length || !bounds.length) return;
    let max = 0;
    for (const row of counts) for (const v of row) max = Math.max(max, v);
    const cw = w / times.length;
    const ch = hgt / bounds.length;
    counts.forEach((row, r) =>
      row.forEach((v: number, c: number) => {
        const a = max > 0 ? v / max : 0;
        ctx.fillStyle = a === 0 ? '#f4f4f4' : `hsl(${hue}, 85%, ${Math.round(92 - a * 55)}%)`;
        // Bucket 0 at the bottom, as Grafana draws it.
        ctx.fillRect(c * cw, hgt - (r + 1) * ch, Math.ceil(cw), Math.ceil(ch));
      })
    );
  };
  const obs = new ResizeObserver(() => draw());
  // Drawn at once when the element is in the document (the panel's state
  // then says "data" only with the chart there), else on the next frame.
  const first = () => {
    draw();
    obs.observe(el);
  };
  if (el.isConnected) first();
  else requestAnimationFrame(first);
  return () => obs.disconnect();
}
