// Template variables as Grafana evaluates them for a Prometheus data source:
// options from label_values(...), label_names(), metrics(...),
// query_result(...) (filtered by the variable's `regex`), custom, constant,
// interval, textbox and datasource variables; the current selection (from
// the URL's var-<name>, else the dashboard's `current`); and substitution of
// $var, ${var}, ${var:format} and [[var]] into queries, with Grafana's
// Prometheus escaping (multi-value and All as a regex alternation).
import { apiGet } from '../api';
import { TimeRange } from './time';

export const kAll = '$__all';

export interface VarState {
  name: string;
  label: string;
  type: string;
  hide: number; // 0 shown, 1 label hidden, 2 variable hidden
  multi: boolean;
  includeAll: boolean;
  allValue: string | null;
  options: { text: string; value: string }[];
  current: string[]; // selected values; [kAll] for All
  error?: string;
  raw: Record<string, unknown>;
}

type Json = Record<string, unknown>;

function asArray(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

export function queryText(v: Json): string {
  const q = v.query;
  if (q && typeof q === 'object') return String((q as Json).query ?? '');
  if (typeof q === 'string') return q;
  return typeof v.definition === 'string' ? v.definition : '';
}

export function newVarState(v: Json, urlValues: string[] | undefined): VarState {
  const cur = (v.current ?? {}) as Json;
  let current = urlValues && urlValues.length ? urlValues.slice() : asArray(cur.value);
  if (current.length === 1 && current[0] === 'All' && urlValues) current = [kAll];
  if (current.some((x) => x === kAll)) current = [kAll];
  const type = String(v.type ?? 'query');
  return {
    name: String(v.name ?? ''),
    label: String(v.label || v.name || ''),
    type,
    hide: Number(v.hide ?? 0),
    multi: Boolean(v.multi),
    includeAll: Boolean(v.includeAll),
    allValue: typeof v.allValue === 'string' && v.allValue !== '' ? v.allValue : null,
    options: [],
    current,
    raw: v,
  };
}

// The variable's `regex` ("/pattern/flags"): keeps matching options; the
// first capture group (or the named groups `text`/`value`) picks the value.
function applyRegex(values: string[], regex: string): { text: string; value: string }[] {
  const out: { text: string; value: string }[] = [];
  const seen = new Set<string>();
  let re: RegExp | null = null;
  if (regex) {
    const m = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
    try {
      re = m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(regex);
    } catch {
      throw new Error(`invalid regex ${regex}`);
    }
  }
  for (const v of values) {
    let value = v;
    let text = v;
    if (re) {
      const m = re.exec(v);
      if (!m) continue;
      if (m.groups && (m.groups.value || m.groups.text)) {
        value = m.groups.value ?? m.groups.text;
        text = m.groups.text ?? value;
      } else if (m.length > 1) {
        value = text = m[1] ?? '';
      }
    }
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ text, value });
  }
  return out;
}

function sortOptions(opts: { text: string; value: string }[], sort: number): void {
  const num = (s: string) => {
    const m = /-?\d+(\.\d+)?/.exec(s);
    return m ? parseFloat(m[0]) : -Infinity;
  };
  const cmp: Record<number, (a: string, b: string) => number> = {
    1: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    2: (a, b) => (a < b ? 1 : a > b ? -1 : 0),
    3: (a, b) => num(a) - num(b),
    4: (a, b) => num(b) - num(a),
    5: (a, b) => a.toLowerCase().localeCompare(b.toLowerCase()),
    6: (a, b) => b.toLowerCase().localeCompare(a.toLowerCase()),
  };
  const f = cmp[sort];
  if (f) opts.sort((a, b) => f(a.text, b.text));
}

function formatSample(m: Record<string, string>, value: string, tsS: number): string {
  const name = m.__name__ ?? '';
  const labels = Object.keys(m)
    .filter((k) => k !== '__name__')
    .map((k) => `${k}="${m[k]}"`)
    .join(',');
  return `${name}{${labels}} ${value} ${Math.round(tsS * 1000)}`;
}

// Runs a Prometheus variable query; `q` is already interpolated.
async function runVariableQuery(q: string, range: TimeRange): Promise<string[]> {
  const start = String(Math.floor(range.fromMs / 1000));
  const end = String(Math.ceil(range.toMs / 1000));
  q = q.trim();
  let m: RegExpExecArray | null;
  const fail = (r: { error?: string; errorType?: string; httpStatus: number }) => {
    throw new Error(r.error ?? `HTTP ${r.httpStatus}`);
  };
  if ((m = /^label_names\(\s*(.*)\s*\)$/s.exec(q))) {
    const params: Record<string, string | string[]> = { start, end };
    if (m[1]) params['match[]'] = m[1];
    const r = await apiGet<string[]>('labels', params);
    if (!r.ok) fail(r);
    return r.data ?? [];
  }
  if ((m = /^label_values\(\s*(?:(.*),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s.exec(q))) {
    const params: Record<string, string | string[]> = { start, end };
    if (m[1]) params['match[]'] = m[1];
    const r = await apiGet<string[]>(`label/${encodeURIComponent(m[2])}/values`, params);
    if (!r.ok) fail(r);
    return r.data ?? [];
  }
  if ((m = /^metrics\(\s*(.*)\s*\)$/s.exec(q))) {
    const r = await apiGet<string[]>('label/__name__/values', { start, end });
    if (!r.ok) fail(r);
    let re: RegExp;
    try {
      re = new RegExp(m[1]);
    } catch {
      throw new Error(`invalid regex in ${q}`);
    }
    return (r.data ?? []).filter((n) => re.test(n));
  }
  if ((m = /^query_result\(\s*(.*)\s*\)$/s.exec(q))) {
    const r = await apiGet<{ resultType: string; result: unknown }>('query', { query: m[1], time: end });
    if (!r.ok) fail(r);
    const d = r.data!;
    if (d.resultType === 'vector') {
      return (d.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => formatSample(s.metric, s.value[1], s.value[0]));
    }
    if (d.resultType === 'scalar' || d.resultType === 'string') {
      const [t, v] = d.result as [number, string];
      return [`${d.resultType} ${v} ${Math.round(t * 1000)}`];
    }
    return [];
  }
  // Any other text: series names of the selector, as Grafana's metric-name query.
  const r = await apiGet<Record<string, string>[]>('series', { 'match[]': q, start, end });
  if (!r.ok) fail(r);
  return (r.data ?? []).map((s) => s.__name__ ?? '');
}

// Fills `v.options` and fixes up `v.current`. `interp` substitutes the
// variables before this one.
export async function loadOptions(v: VarState, range: TimeRange, interp: (s: string) => string): Promise<void> {
  v.error = undefined;
  const raw = v.raw;
  const q = queryText(raw);
  try {
    switch (v.type) {
      case 'query': {
        const values = await runVariableQuery(interp(q), range);
        v.options = applyRegex(values, typeof raw.regex === 'string' ? interp(raw.regex) : '');
        sortOptions(v.options, Number(raw.sort ?? 0));
        break;
      }
      case 'custom':
        v.options = splitCustom(q);
        break;
      case 'interval':
        v.options = q.split(',').map((s) => s.trim()).filter(Boolean).map((s) => ({ text: s, value: s }));
        break;
      case 'constant':
      case 'textbox': {
        const val = v.current.length && v.type === 'textbox' ? v.current[0] : q;
        v.options = [{ text: val, value: val }];
        v.current = [val];
        return;
      }
      case 'datasource':
        // Every Prometheus data source is this Strata.
        v.options = [{ text: 'Strata', value: 'strata' }];
        v.current = ['strata'];
        return;
      default:
        v.options = (Array.isArray(raw.options) ? (raw.options as Json[]) : []).map((o) => ({ text: String(o.text ?? o.value), value: String(o.value ?? o.text) }));
    }
  } catch (e) {
    v.error = (e as Error).message;
    v.options = [];
  }
  fixCurrent(v);
}

function splitCustom(q: string): { text: string; value: string }[] {
  // "a,b" or "key : value" pairs; "\," escapes a comma.
  const parts = q.match(/(?:\\,|[^,])+/g) ?? [];
  return parts.map((p) => {
    const s = p.trim().replace(/\\,/g, ',');
    const kv = /^(.+?)\s:\s(.+)$/.exec(s);
    return kv ? { text: kv[1], value: kv[2] } : { text: s, value: s };
  });
}

function fixCurrent(v: VarState): void {
  const values = new Set(v.options.map((o) => o.value));
  if (v.current.length === 1 && v.current[0] === kAll && v.includeAll) return;
  const kept = v.current.filter((c) => values.has(c) || c === kAll);
  if (kept.length && (v.multi || kept.length === 1)) {
    v.current = v.multi ? kept : [kept[0]];
    return;
  }
  if (v.type === 'custom' || v.type === 'interval' || v.type === 'query') {
    if (v.includeAll && v.options.length) v.current = v.current.length === 0 || v.current[0] === kAll ? [kAll] : [v.options[0].value];
    else v.current = v.options.length ? [v.options[0].value] : [];
    if (v.current.length === 0 && v.includeAll) v.current = [kAll];
  }
}

// The values a variable stands for: All expands to every option.
export function selectedValues(v: VarState): string[] {
  if (v.current.length === 1 && v.current[0] === kAll) return v.options.map((o) => o.value);
  return v.current;
}

const regexEscape = (s: string) => s.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
// Grafana's Prometheus escaping: inside a regex matcher the value's regex
// metacharacters are escaped (and `\` doubled for the string literal).
const promRegexEscape = (s: string) => s.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
const promStringEscape = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");

function formatValues(v: VarState, values: string[], format: string | undefined): string {
  const all = v.current.length === 1 && v.current[0] === kAll;
  if (all && v.allValue !== null && (format === undefined || format === 'regex' || format === 'raw')) return v.allValue;
  switch (format) {
    case undefined:
      if (!v.multi && !v.includeAll) return promStringEscape(values[0] ?? '');
      if (values.length === 1) return promRegexEscape(values[0]);
      return '(' + values.map(promRegexEscape).join('|') + ')';
    case 'raw':
      return values.join(',');
    case 'regex':
      return values.length === 1 ? regexEscape(values[0]) : '(' + values.map(regexEscape).join('|') + ')';
    case 'pipe':
      return values.join('|');
    case 'csv':
      return values.join(',');
    case 'json':
      return JSON.stringify(values.length === 1 && !v.multi ? values[0] : values);
    case 'glob':
      return values.length === 1 ? values[0] : '{' + values.join(',') + '}';
    case 'doublequote':
      return values.map((x) => '"' + x.replace(/"/g, '\\"') + '"').join(',');
    case 'singlequote':
      return values.map((x) => "'" + x.replace(/'/g, "\\'") + "'").join(',');
    case 'sqlstring':
      return values.map((x) => "'" + x.replace(/'/g, "''") + "'").join(',');
    case 'text':
      return values.map((x) => v.options.find((o) => o.value === x)?.text ?? x).join(' + ');
    case 'queryparam':
      return values.map((x) => `var-${encodeURIComponent(v.name)}=${encodeURIComponent(x)}`).join('&');
    case 'percentencode':
      return encodeURIComponent(values.length === 1 ? values[0] : '{' + values.join(',') + '}');
    case 'lucene':
      return values.length === 1 ? values[0] : '(' + values.map((x) => '"' + x + '"').join(' OR ') + ')';
    default:
      return values.join(',');
  }
}

// Substitutes variables in `text`. `builtins` holds $__interval & co.;
// `scoped` overrides a variable with one value (panel repeats).
export function interpolate(text: string, vars: VarState[], builtins: Record<string, string>, scoped?: Record<string, string>): string {
  const re = /\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;
  return text.replace(re, (whole, a, b, bf, c, cf) => {
    const name: string = a ?? b ?? c;
    const format: string | undefined = bf ?? cf;
    if (scoped && name in scoped) return formatValues({ ...vars.find((x) => x.name === name)!, name, multi: false, includeAll: false, current: [scoped[name]], allValue: null } as VarState, [scoped[name]], format);
    if (name in builtins) return builtins[name];
    const v = vars.find((x) => x.name === name);
    if (!v) return whole;
    if (v.type === 'datasource') return v.current[0] ?? '';
    return formatValues(v, selectedValues(v), format);
  });
}
