// Grafana's time vocabulary: relative ranges ("now-6h", "now/d"), absolute
// ones (epoch ms or ISO text, as in the `from`/`to` URL parameters), and the
// interval rules: $__interval = range / max data points, rounded to a "nice"
// interval, never below the panel's min interval.
export interface TimeRange {
  raw: { from: string; to: string };
  fromMs: number;
  toMs: number;
}

const kUnitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

// A Grafana/Prometheus duration ("15s", "1m30s", "2h"); null if invalid.
export function parseIntervalMs(s: string): number | null {
  s = s.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += parseFloat(m[1]) * kUnitMs[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : null;
}

function startOf(t: Date, unit: string, end: boolean): number {
  const d = new Date(t.getTime());
  const set = (y: number, mo: number, day: number) => Date.UTC(y, mo, day);
  let start: number;
  let next: number;
  const y = d.getUTCFullYear(), mo = d.getUTCMonth(), day = d.getUTCDate();
  switch (unit) {
    case 'y': start = set(y, 0, 1); next = set(y + 1, 0, 1); break;
    case 'M': start = set(y, mo, 1); next = set(y, mo + 1, 1); break;
    case 'w': {
      const dow = d.getUTCDay();
      start = set(y, mo, day - dow);
      next = start + kUnitMs.w;
      break;
    }
    case 'd': start = set(y, mo, day); next = start + kUnitMs.d; break;
    default: {
      const u = kUnitMs[unit] ?? 1;
      start = Math.floor(t.getTime() / u) * u;
      next = start + u;
    }
  }
  return end ? next - 1 : start;
}

// "now", "now-6h", "now-1d/d", epoch ms, or an ISO date; null if invalid.
// `isTo` rounds "/unit" to the end of the unit, as Grafana does for `to`.
export function parseTime(s: string, nowMs: number, isTo: boolean): number | null {
  s = s.trim();
  if (/^\d{10,}$/.test(s)) return parseInt(s, 10);
  if (s.startsWith('now')) {
    let t = nowMs;
    const re = /([+-])(\d+)(ms|s|m|h|d|w|M|y)|\/(s|m|h|d|w|M|y)/gy;
    re.lastIndex = 3;
    let m: RegExpExecArray | null;
    let pos = 3;
    while ((m = re.exec(s))) {
      if (m[4]) t = startOf(new Date(t), m[4], isTo);
      else t += (m[1] === '-' ? -1 : 1) * parseInt(m[2], 10) * kUnitMs[m[3]];
      pos = re.lastIndex;
    }
    return pos === s.length ? t : null;
  }
  const iso = /^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?$/.test(s) ? s.replace(' ', 'T') + (s.length > 10 ? 'Z' : 'T00:00:00Z') : s;
  const t = Date.parse(iso);
  return isNaN(t) ? null : t;
}

export function resolveRange(from: string, to: string, nowMs = Date.now()): TimeRange | null {
  const f = parseTime(from, nowMs, false);
  const t = parseTime(to, nowMs, true);
  if (f === null || t === null || f >= t) return null;
  return { raw: { from, to }, fromMs: f, toMs: t };
}

export const kQuickRanges: [string, string][] = [
  ['now-5m', 'Last 5 minutes'],
  ['now-15m', 'Last 15 minutes'],
  ['now-30m', 'Last 30 minutes'],
  ['now-1h', 'Last 1 hour'],
  ['now-3h', 'Last 3 hours'],
  ['now-6h', 'Last 6 hours'],
  ['now-12h', 'Last 12 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-2d', 'Last 2 days'],
  ['now-7d', 'Last 7 days'],
];

// Grafana's nice intervals: the raw interval rounds to the entry whose
// upper bound it stays under.
const kNice: [number, number][] = [
  [10, 1], [15, 10], [35, 20], [75, 50], [150, 100], [350, 200], [750, 500],
  [1500, 1000], [3500, 2000], [7500, 5000], [12500, 10000], [17500, 15000],
  [25000, 20000], [45000, 30000], [90000, 60000], [210000, 120000],
  [450000, 300000], [750000, 600000], [1050000, 900000], [1500000, 1200000],
  [2700000, 1800000], [5400000, 3600000], [9000000, 7200000],
  [16200000, 10800000], [27000000, 21600000], [43200000, 43200000],
  [64800000, 86400000], [604800000, 86400000], [1814400000, 604800000],
  [3628800000, 2592000000],
];

export function roundInterval(ms: number): number {
  for (const [limit, nice] of kNice) if (ms < limit) return nice;
  return 31536000000;
}

// Grafana's rendering of an interval in a query: the largest whole unit.
export function formatInterval(ms: number): string {
  for (const [u, n] of [['y', kUnitMs.y], ['w', kUnitMs.w], ['d', kUnitMs.d], ['h', kUnitMs.h], ['m', kUnitMs.m], ['s', 1000]] as [string, number][]) {
    if (ms >= n && ms % n === 0) return ms / n + u;
  }
  return ms >= 1000 ? Math.round(ms / 1000) + 's' : Math.max(1, Math.round(ms)) + 'ms';
}

// The panel's interval: range / max data points, nice-rounded, at least the
// min interval (the panel's `interval`, e.g. ">30s", else the scrape default).
export function panelIntervalMs(range: TimeRange, maxDataPoints: number, minIntervalMs: number): number {
  const raw = (range.toMs - range.fromMs) / Math.max(1, maxDataPoints);
  return Math.max(roundInterval(raw), minIntervalMs);
}
