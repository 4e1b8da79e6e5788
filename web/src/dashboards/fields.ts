// Grafana's field configuration for one series: fieldConfig.defaults merged
// with the overrides that match it (byName, byRegexp, byFrameRefID), and
// what follows from it: unit and decimals, min/max, thresholds and their
// colours, value mappings and display names.
import { grafanaColor, seriesColor } from './units';
import { formatUnit } from './units';

type Json = Record<string, unknown>;

export interface FieldConfig {
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  displayName?: string;
  color?: { mode?: string; fixedColor?: string };
  thresholds?: { mode?: string; steps?: { color: string; value: number | null }[] };
  mappings?: Json[];
  custom?: Json;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && isFinite(v) ? v : undefined;
}

export function defaults(panel: Json): FieldConfig {
  const fc = ((panel.fieldConfig as Json)?.defaults ?? {}) as Json;
  return {
    unit: typeof fc.unit === 'string' ? fc.unit : undefined,
    decimals: num(fc.decimals),
    min: num(fc.min),
    max: num(fc.max),
    displayName: typeof fc.displayName === 'string' ? fc.displayName : undefined,
    color: (fc.color as FieldConfig['color']) ?? undefined,
    thresholds: (fc.thresholds as FieldConfig['thresholds']) ?? undefined,
    mappings: Array.isArray(fc.mappings) ? (fc.mappings as Json[]) : [],
    custom: (fc.custom as Json) ?? {},
  };
}

function matches(matcher: Json, name: string, refId: string): boolean {
  const id = String(matcher?.id ?? '');
  const opt = matcher?.options;
  if (id === 'byName') return opt === name;
  if (id === 'byFrameRefID') return opt === refId;
  if (id === 'byRegexp') {
    try {
      return new RegExp(String(opt)).test(name);
    } catch {
      return false;
    }
  }
  return false;
}

export function fieldFor(panel: Json, name: string, refId: string): FieldConfig {
  const f = defaults(panel);
  f.custom = { ...(f.custom ?? {}) };
  const overrides = ((panel.fieldConfig as Json)?.overrides ?? []) as Json[];
  for (const o of Array.isArray(overrides) ? overrides : []) {
    if (!matches(o.matcher as Json, name, refId)) continue;
    for (const p of (Array.isArray(o.properties) ? o.properties : []) as Json[]) {
      const id = String(p.id ?? '');
      const v = p.value;
      if (id === 'unit' && typeof v === 'string') f.unit = v;
      else if (id === 'decimals') f.decimals = num(v);
      else if (id === 'min') f.min = num(v);
      else if (id === 'max') f.max = num(v);
      else if (id === 'displayName' && typeof v === 'string') f.displayName = v;
      else if (id === 'color' && v && typeof v === 'object') f.color = v as FieldConfig['color'];
      else if (id === 'thresholds' && v && typeof v === 'object') f.thresholds = v as FieldConfig['thresholds'];
      else if (id === 'mappings' && Array.isArray(v)) f.mappings = v as Json[];
      else if (id.startsWith('custom.')) (f.custom as Json)[id.slice(7)] = v;
    }
  }
  return f;
}

// The colour of the highest threshold step at or below `v`.
export function thresholdColor(f: FieldConfig, v: number | null, min = 0, max = 100): string {
  const steps = f.thresholds?.steps ?? [{ color: 'green', value: null }];
  if (v === null || isNaN(v)) return grafanaColor(steps[0]?.color);
  const pct = f.thresholds?.mode === 'percentage';
  let color = steps[0]?.color;
  for (const s of steps) {
    const at = s.value === null || s.value === undefined ? -Infinity : pct ? min + ((max - min) * s.value) / 100 : s.value;
    if (v >= at) color = s.color;
  }
  return grafanaColor(color);
}

export function seriesColorFor(f: FieldConfig, i: number, v?: number | null): string {
  const mode = f.color?.mode;
  if (mode === 'fixed' || mode === 'shades') return grafanaColor(f.color?.fixedColor, seriesColor(i));
  if (mode === 'thresholds' && v !== undefined) return thresholdColor(f, v ?? null, f.min, f.max);
  return seriesColor(i);
}

// Value mappings: value → text/colour, ranges, special values, regexes.
export function mapValue(f: FieldConfig, v: number | null, text: string): { text: string; color?: string } | null {
  for (const m of f.mappings ?? []) {
    const type = String(m.type ?? '');
    const opts = (m.options ?? {}) as Json;
    const res = (r: unknown) => {
      const o = (r ?? {}) as Json;
      return { text: typeof o.text === 'string' && o.text !== '' ? o.text : text, color: typeof o.color === 'string' ? grafanaColor(o.color) : undefined };
    };
    if (type === 'value') {
      const key = v === null ? 'null' : String(v);
      if (key in opts || text in opts) return res(opts[key] ?? opts[text]);
    } else if (type === 'range') {
      const from = typeof opts.from === 'number' ? opts.from : -Infinity;
      const to = typeof opts.to === 'number' ? opts.to : Infinity;
      if (v !== null && v >= from && v <= to) return res(opts.result);
    } else if (type === 'special') {
      const match = String(opts.match ?? '');
      if ((match === 'null' && v === null) || (match === 'nan' && v !== null && isNaN(v)) || (match === 'null+nan' && (v === null || isNaN(v)))) return res(opts.result);
    } else if (type === 'regex') {
      try {
        if (new RegExp(String(opts.pattern ?? '')).test(text)) return res(opts.result);
      } catch {
        // an invalid pattern maps nothing
      }
    }
  }
  return null;
}

export function display(f: FieldConfig, v: number | null): { text: string; color?: string } {
  const text = formatUnit(v, f.unit, f.decimals);
  return mapValue(f, v, v === null ? 'null' : String(v)) ?? { text };
}
