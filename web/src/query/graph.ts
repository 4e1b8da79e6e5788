// The graph view of a range query, drawn with uPlot: one line per series on
// the query's step grid (gaps where a series has no sample), optionally
// stacked. uPlot's legend shows the values under the cursor and toggles a
// series on click.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';
import { formatSeries, formatValue, Metric } from '../format';

interface MatrixSeries {
  metric: Metric;
  values?: [number, string][];
}

export interface GraphRange {
  startS: number;
  endS: number;
  stepS: number;
}

function color(i: number): string {
  // Golden-angle hues: neighbours stay apart however many series there are.
  return `hsl(${Math.round((i * 137.508) % 360)}, 65%, 45%)`;
}

export function renderGraph(result: MatrixSeries[], range: GraphRange, stacked: boolean): { el: HTMLElement; destroy: () => void } {
  const xs: number[] = [];
  for (let t = range.startS; t <= range.endS + 1e-9; t += range.stepS) xs.push(Math.round(t * 1000) / 1000);
  const index = new Map<number, number>();
  xs.forEach((t, i) => index.set(Math.round(t * 1000), i));
  const raw: (number | null)[][] = result.map((s) => {
    const ys: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = index.get(Math.round(t * 1000));
      if (i !== undefined) ys[i] = parseFloat(v);
    }
    return ys;
  });
  // Stacked: each series drawn on top of the ones before it; the legend
  // still shows a series' own value.
  // NaN and ±Inf cannot be drawn (they would wreck the y scale); they are
  // gaps in the line and show as themselves in the legend.
  let drawn = raw.map((ys) => ys.map((v) => (v === null || !isFinite(v) ? null : v)));
  if (stacked) {
    const acc: number[] = new Array(xs.length).fill(0);
    drawn = raw.map((ys) =>
      ys.map((v, i) => {
        if (v === null || !isFinite(v)) return null;
        acc[i] += v;
        return acc[i];
      })
    );
  }
  const el = h('div', { class: 'graph', 'data-series-count': result.length });
  if (result.length === 0) {
    el.appendChild(h('div', { class: 'empty' }, 'Empty query result'));
    return { el, destroy: () => {} };
  }
  const opts: uPlot.Options = {
    width: 800,
    height: 360,
    series: [
      {},
      ...result.map((s, i) => ({
        label: formatSeries(s.metric),
        stroke: color(i),
        width: 1.5,
        fill: stacked ? color(i).replace('hsl', 'hsla').replace(')', ', 0.35)') : undefined,
        spanGaps: false,
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
          const v = idx === null ? null : raw[i][idx];
          return v === null ? '—' : isFinite(v) ? formatValue(v) : String(v).replace('Infinity', 'Inf');
        },
      })),
    ],
    axes: [{}, { size: 70, values: (_u: uPlot, vals: number[]) => vals.map((v) => formatValue(v)) }],
    cursor: { focus: { prox: 16 } },
    focus: { alpha: 0.3 },
    legend: { live: true },
    scales: { x: { time: true } },
    // Times are shown and typed in UTC everywhere in the UI.
    tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
  let plot: uPlot | null = null;
  const resize = () => plot?.setSize({ width: Math.max(300, el.clientWidth - 4), height: 360 });
  // uPlot needs the element in the document to measure; draw on the next frame.
  requestAnimationFrame(() => {
    opts.width = Math.max(300, el.clientWidth - 4);
    plot = new uPlot(opts, [xs, ...drawn] as uPlot.AlignedData, el);
  });
  window.addEventListener('resize', resize);
  return {
    el,
    destroy: () => {
      window.removeEventListener('resize', resize);
      plot?.destroy();
    },
  };
}
