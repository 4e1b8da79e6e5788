// Text formatting shared by the pages: label sets, durations, times, numbers.
export type Metric = Record<string, string>;

function quote(v: string): string {
  return JSON.stringify(v);
}

// `name{a="x", b="y"}` as PromQL writes a series.
export function formatSeries(m: Metric): string {
  const name = m.__name__ ?? '';
  const rest = Object.keys(m)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}=${quote(m[k])}`);
  return rest.length || !name ? `${name}{${rest.join(', ')}}` : name;
}

const units: [string, number][] = [
  ['y', 365 * 86400],
  ['w', 7 * 86400],
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
];

// Parses a Prometheus duration ("1h30m", "90s", "2w") or plain seconds; null if invalid.
export function parseDuration(s: string): number | null {
  s = s.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s);
  const re = /(\d+)(ms|y|w|d|h|m|s)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += parseInt(m[1], 10) * units.find((u) => u[0] === m![2])![1];
    pos = re.lastIndex;
  }
  return pos === s.length && total > 0 ? total : null;
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  let rest = Math.round(seconds * 1000) / 1000;
  let out = '';
  for (const [u, n] of units) {
    if (u === 'ms') {
      if (rest > 0) out += Math.round(rest * 1000) + 'ms';
      break;
    }
    const k = Math.floor(rest / n + 1e-9);
    if (k > 0) {
      out += k + u;
      rest -= k * n;
    }
  }
  return out;
}

// "2024-01-02 15:04:05" in UTC: the format of Prometheus' end_input and moment_input.
export function formatTimeInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function parseTimeInput(s: string): number | null {
  s = s.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s) * 1000;
  const iso = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  const t = Date.parse(iso);
  return isNaN(t) ? null : t;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC');
}

export function ago(iso: string | undefined): string {
  if (!iso || iso.startsWith('0001-')) return 'never';
  const t = Date.parse(iso);
  if (isNaN(t)) return iso;
  let s = (Date.now() - t) / 1000;
  // Milliseconds only matter below a second.
  if (Math.abs(s) >= 1) s = Math.round(s);
  return s < 0 ? 'in ' + formatDuration(-s) : formatDuration(s) + ' ago';
}

export function formatValue(v: number): string {
  if (!isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e15 || a < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(6)));
}
