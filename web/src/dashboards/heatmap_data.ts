// The heatmap panel's cells from `format: heatmap` bucket series.
import { Frame } from './query';

// Grafana's handling of `le` buckets: series sorted by their upper bound
// (+Inf last) and de-cumulated, so each row counts its own bucket only.
export function heatmapBuckets(frames: Frame[]): { bounds: string[]; times: number[]; counts: number[][] } {
  const le = (f: Frame) => {
    const v = f.labels.le ?? f.name;
    const n = parseFloat(v);
    return v === '+Inf' || v === 'Inf' ? Infinity : isNaN(n) ? NaN : n;
  };
  const sorted = [...frames].sort((a, b) => {
    const x = le(a), y = le(b);
    if (isNaN(x) || isNaN(y)) return a.name < b.name ? -1 : 1;
    return x - y;
  });
  const tset = new Set<number>();
  for (const f of sorted) for (const t of f.times) tset.add(t);
  const times = [...tset].sort((a, b) => a - b);
  const idx = new Map(times.map((t, i) => [t, i]));
  const cum = sorted.map((f) => {
    const row = new Array(times.length).fill(0);
    f.times.forEach((t, i) => (row[idx.get(t)!] = f.values[i] ?? 0));
    return row;
  });
  const counts = cum.map((row, r) => row.map((v: number, c: number) => Math.max(0, r === 0 ? v : v - cum[r - 1][c])));
  return { bounds: sorted.map((f) => f.labels.le ?? f.name), times, counts };
}
