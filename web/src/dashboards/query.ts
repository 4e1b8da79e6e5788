// A panel's queries against Strata: each visible target with an `expr`,
// variables substituted, as a range query on the panel's step grid or an
// instant query at the end of the range (`instant`, or table/stat panels
// that ask for one). Results become Frames: one series each, named by the
// target's `legendFormat`.
import { apiGet } from '../api';
import { formatSeries } from '../format';
import { formatInterval, panelIntervalMs, parseIntervalMs, TimeRange } from './time';
import { interpolate, VarState } from './vars';

export interface Frame {
  refId: string;
  name: string;
  labels: Record<string, string>;
  times: number[]; // ms
  values: (number | null)[];
}

export interface QueryContext {
  range: TimeRange;
  vars: VarState[];
  scrapeIntervalMs: number; // the dashboard's timeInterval, else 15s
  scoped?: Record<string, string>;
  signal?: AbortSignal;
}

type Json = Record<string, unknown>;

export function legendName(fmt: unknown, labels: Record<string, string>): string {
  if (typeof fmt !== 'string' || fmt === '' || fmt === '__auto') return formatSeries(labels);
  return fmt.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_w, k: string) => labels[k] ?? '');
}

// Grafana's built-in variables for one panel.
export function builtins(ctx: QueryContext, intervalMs: number): Record<string, string> {
  const rangeMs = ctx.range.toMs - ctx.range.fromMs;
  const rate = Math.max(intervalMs + ctx.scrapeIntervalMs, 4 * ctx.scrapeIntervalMs);
  return {
    __interval: formatInterval(intervalMs),
    __interval_ms: String(intervalMs),
    __rate_interval: formatInterval(rate),
    __rate_interval_ms: String(rate),
    __range: Math.round(rangeMs / 1000) + 's',
    __range_s: String(Math.round(rangeMs / 1000)),
    __range_ms: String(Math.round(rangeMs)),
    __from: String(ctx.range.fromMs),
    __to: String(ctx.range.toMs),
    __dashboard: '',
  };
}

export function minIntervalMs(panel: Json, ctx: QueryContext, extra?: string): number {
  const raw = String(extra || panel.interval || '').replace(/^>/, '');
  const text = raw ? interpolate(raw, ctx.vars, {}, ctx.scoped) : '';
  return (text && parseIntervalMs(text)) || ctx.scrapeIntervalMs;
}

export interface PanelData {
  frames: Frame[];
  errors: string[];
  instant: boolean;
  intervalMs: number;
}

export async function queryPanel(panel: Json, ctx: QueryContext, widthPx: number, forceInstant: boolean): Promise<PanelData> {
  const targets = (Array.isArray(panel.targets) ? (panel.targets as Json[]) : []).filter((t) => !t.hide && typeof t.expr === 'string' && (t.expr as string).trim());
  const maxPoints = Number(panel.maxDataPoints) > 0 ? Number(panel.maxDataPoints) : Math.max(100, Math.round(widthPx));
  const allInstant = targets.length > 0 && targets.every((t) => t.instant === true && t.range !== true);
  const out: PanelData = { frames: [], errors: [], instant: forceInstant || allInstant, intervalMs: 0 };
  await Promise.all(
    targets.map(async (t, ti) => {
      const refId = String(t.refId ?? String.fromCharCode(65 + ti));
      const intervalMs = panelIntervalMs(ctx.range, maxPoints, minIntervalMs(panel, ctx, typeof t.interval === 'string' ? t.interval : ''));
      out.intervalMs = Math.max(out.intervalMs, intervalMs);
      const expr = interpolate(String(t.expr), ctx.vars, builtins(ctx, intervalMs), ctx.scoped);
      const instant = forceInstant || (t.instant === true && t.range !== true);
      const stepS = Math.max(1, Math.round(intervalMs / 1000));
      try {
        if (instant) {
          const r = await apiGet<{ resultType: string; result: unknown }>('query', { query: expr, time: String(ctx.range.toMs / 1000) }, ctx.signal);
          if (!r.ok) throw new Error(r.error ?? `HTTP ${r.httpStatus}`);
          const d = r.data!;
          if (d.resultType === 'scalar') {
            const [ts, v] = d.result as [number, string];
            out.frames.push({ refId, name: legendName(t.legendFormat, {}) || 'scalar', labels: {}, times: [ts * 1000], values: [parseFloat(v)] });
          } else if (d.resultType === 'vector') {
            for (const s of d.result as { metric: Record<string, string>; value: [number, string] }[]) {
              out.frames.push({ refId, name: legendName(t.legendFormat, s.metric), labels: s.metric, times: [s.value[0] * 1000], values: [parseFloat(s.value[1])] });
            }
          }
        } else {
          // Both ends floored to the step, as Grafana aligns them, so
          // refreshes hit the same grid.
          const start = Math.floor(ctx.range.fromMs / 1000 / stepS) * stepS;
          const end = Math.floor(ctx.range.toMs / 1000 / stepS) * stepS;
          const r = await apiGet<{ resultType: string; result: unknown }>('query_range', { query: expr, start: String(start), end: String(end), step: String(stepS) }, ctx.signal);
          if (!r.ok) throw new Error(r.error ?? `HTTP ${r.httpStatus}`);
          for (const s of (r.data!.result as { metric: Record<string, string>; values: [number, string][] }[]) ?? []) {
            out.frames.push({
              refId,
              name: legendName(t.legendFormat, s.metric),
              labels: s.metric,
              times: s.values.map((p) => p[0] * 1000),
              values: s.values.map((p) => parseFloat(p[1])),
            });
          }
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        out.errors.push(`${refId}: ${(e as Error).message}`);
      }
    })
  );
  // Targets answer in any order; keep the panel's target order.
  const order = targets.map((t, i) => String(t.refId ?? String.fromCharCode(65 + i)));
  out.frames.sort((a, b) => order.indexOf(a.refId) - order.indexOf(b.refId));
  return out;
}

// Grafana's reducers (reduceOptions.calcs) over one series.
export function reduce(values: (number | null)[], calc: string): number | null {
  const xs = values.filter((v): v is number => v !== null && !isNaN(v));
  if (xs.length === 0) return calc === 'count' ? 0 : null;
  switch (calc) {
    case 'last': return values[values.length - 1] ?? null;
    case 'first': return values[0] ?? null;
    case 'firstNotNull': return xs[0];
    case 'mean': return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'sum': return xs.reduce((a, b) => a + b, 0);
    case 'max': return Math.max(...xs);
    case 'min': return Math.min(...xs);
    case 'count': return xs.length;
    case 'range': return Math.max(...xs) - Math.min(...xs);
    case 'delta': {
      let d = 0;
      for (let i = 1; i < xs.length; i++) d += xs[i] >= xs[i - 1] ? xs[i] - xs[i - 1] : xs[i];
      return d;
    }
    case 'diff': return xs[xs.length - 1] - xs[0];
    default: return xs[xs.length - 1]; // lastNotNull
  }
}
