// Value formatting by Grafana unit id (fieldConfig `unit`, legacy
// `yaxes[].format`): time, data, percent, throughput, currency, SI-scaled
// "short". Unknown units fall back to the number with the unit as suffix.
function fixed(v: number, decimals: number | undefined): string {
  if (decimals !== undefined && decimals !== null && decimals >= 0) return v.toFixed(Math.min(20, decimals));
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(v * 10) / 10).replace(/\.0$/, '');
  if (a >= 1) return String(Number(v.toFixed(2)));
  return String(Number(v.toPrecision(3)));
}

function scaled(v: number, base: number, suffixes: string[], decimals?: number): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < suffixes.length - 1) {
    x /= base;
    i++;
  }
  return fixed(x, decimals) + suffixes[i];
}

function duration(v: number, unitMs: number, decimals?: number): string {
  const ms = v * unitMs;
  const a = Math.abs(ms);
  if (a === 0) return '0 ' + (unitMs === 1 ? 'ms' : 's');
  if (a < 1) return fixed(ms * 1000, decimals) + ' µs';
  if (a < 1000) return fixed(ms, decimals) + ' ms';
  if (a < 60_000) return fixed(ms / 1000, decimals) + ' s';
  if (a < 3_600_000) return fixed(ms / 60_000, decimals) + ' min';
  if (a < 86_400_000) return fixed(ms / 3_600_000, decimals) + ' hour';
  if (a < 7 * 86_400_000) return fixed(ms / 86_400_000, decimals) + ' day';
  return fixed(ms / (7 * 86_400_000), decimals) + ' week';
}

const kShort = ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr'];
const kSI = ['', ' k', ' M', ' G', ' T', ' P'];

export function formatUnit(v: number | null | undefined, unit: string | undefined, decimals?: number): string {
  if (v === null || v === undefined) return 'No data';
  if (isNaN(v)) return 'NaN';
  if (!isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const u = unit ?? '';
  switch (u) {
    case 's': return duration(v, 1000, decimals);
    case 'ms': return duration(v, 1, decimals);
    case 'µs': case 'us': return duration(v, 0.001, decimals);
    case 'ns': return duration(v, 0.000001, decimals);
    case 'm': return duration(v, 60_000, decimals);
    case 'h': return duration(v, 3_600_000, decimals);
    case 'd': return duration(v, 86_400_000, decimals);
    case 'bytes': return scaled(v, 1024, [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'], decimals);
    case 'decbytes': return scaled(v, 1000, [' B', ' kB', ' MB', ' GB', ' TB', ' PB'], decimals);
    case 'bits': return scaled(v, 1024, [' b', ' Kib', ' Mib', ' Gib', ' Tib'], decimals);
    case 'Bps': case 'binBps': return scaled(v, 1024, [' B/s', ' KiB/s', ' MiB/s', ' GiB/s', ' TiB/s'], decimals);
    case 'percent': return fixed(v, decimals) + '%';
    case 'percentunit': return fixed(v * 100, decimals) + '%';
    case 'reqps': return scaled(v, 1000, kShort, decimals) + ' req/s';
    case 'rps': return scaled(v, 1000, kShort, decimals) + ' rps';
    case 'ops': return scaled(v, 1000, kShort, decimals) + ' ops/s';
    case 'cps': return scaled(v, 1000, kShort, decimals) + ' c/s';
    case 'wps': return scaled(v, 1000, kShort, decimals) + ' wps';
    case 'currencyUSD': return (v < 0 ? '-$' : '$') + scaled(Math.abs(v), 1000, ['', 'K', 'M', 'B', 'T'], decimals ?? 2);
    case 'currencyEUR': return (v < 0 ? '-€' : '€') + scaled(Math.abs(v), 1000, ['', 'K', 'M', 'B', 'T'], decimals ?? 2);
    case 'short': case '': return scaled(v, 1000, kShort, decimals);
    case 'none': return fixed(v, decimals);
    case 'hertz': return scaled(v, 1000, [' Hz', ' kHz', ' MHz', ' GHz'], decimals);
    case 'dateTimeAsIso': return new Date(v).toISOString();
    default:
      if (u.startsWith('suffix:')) return fixed(v, decimals) + u.slice(7);
      if (u.startsWith('prefix:')) return u.slice(7) + fixed(v, decimals);
      if (u.startsWith('si:')) return scaled(v, 1000, kSI, decimals) + u.slice(3);
      return fixed(v, decimals) + ' ' + u;
  }
}

// Grafana's named colours (the classic palette) and its shades.
const kNamed: Record<string, string> = {
  green: '#73BF69', red: '#F2495C', yellow: '#FADE2A', orange: '#FF9830', blue: '#5794F2', purple: '#B877D9',
  'dark-green': '#37872D', 'dark-red': '#C4162A', 'dark-yellow': '#E0B400', 'dark-orange': '#FA6400', 'dark-blue': '#1F60C4', 'dark-purple': '#8F3BB8',
  'semi-dark-green': '#56A64B', 'semi-dark-red': '#E02F44', 'semi-dark-yellow': '#F2CC0C', 'semi-dark-orange': '#FF780A', 'semi-dark-blue': '#3274D9', 'semi-dark-purple': '#A352CC',
  'light-green': '#96D98D', 'light-red': '#FF7383', 'light-yellow': '#FFEE52', 'light-orange': '#FFB357', 'light-blue': '#8AB8FF', 'light-purple': '#CA95E5',
  'super-light-green': '#C8F2C2', 'super-light-red': '#FFA6B0', 'super-light-yellow': '#FFF899', 'super-light-orange': '#FFCB7D', 'super-light-blue': '#C0D8FF', 'super-light-purple': '#DEB6F2',
  text: '#1d2430', transparent: 'transparent',
};

export function grafanaColor(c: string | undefined, fallback = '#73BF69'): string {
  if (!c) return fallback;
  const named = kNamed[c];
  if (named) return named;
  // Only plain colour syntax reaches the style: no url(), no expressions.
  return /^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%]+\)|[a-zA-Z]+)$/.test(c) ? c : fallback;
}

// Grafana's classic palette for series without a fixed colour.
const kPalette = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0', '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477'];
export function seriesColor(i: number): string {
  return kPalette[i % kPalette.length];
}
