// Unit tests of the dashboards page's pure logic (web/src/dashboards):
// Grafana's interval rounding and $__ variables, time parsing, variable
// substitution and escaping, the variable regex, `le` bucket handling,
// legend formats, reducers, units and the layout of legacy rows. Bundled
// with the UI's own esbuild and run in Node (no browser).
//
//   node dash_logic_test.mjs <web/src dir> <web node_modules dir>
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [srcDir, modulesDir] = process.argv.slice(2).map((p) => resolve(p));
const esbuild = await import(pathToFileURL(join(modulesDir, 'esbuild/lib/main.js')).href);
const tmp = mkdtempSync(join(tmpdir(), 'strata-dash-logic-'));
const entry = join(tmp, 'entry.ts');
const d = join(srcDir, 'dashboards');
writeFileSync(
  entry,
  ['time', 'vars', 'units', 'layout', 'query', 'heatmap_data', 'fields'].map((m) => `export * from ${JSON.stringify(join(d, m))};`).join('\n')
);
const out = join(tmp, 'bundle.mjs');
await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error', nodePaths: [modulesDir] });
const m = await import(pathToFileURL(out).href);
rmSync(tmp, { recursive: true, force: true });

let failures = 0;
function eq(name, got, want) {
  const ok = JSON.stringify(got) === JSON.stringify(want);
  if (!ok) failures++;
  console.log(`${ok ? 'ok' : 'FAIL'} ${name}${ok ? '' : `: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`}`);
}

// Intervals: range / points, rounded to Grafana's nice steps, at least the min interval.
const range = (ms) => ({ raw: { from: '', to: '' }, fromMs: 0, toMs: ms });
eq('6h over 1000 px is 20s', m.panelIntervalMs(range(6 * 3600e3), 1000, 1000), 20000);
eq('1h over 1000 px is the 15s minimum', m.panelIntervalMs(range(3600e3), 1000, 15000), 15000);
eq('7d over 1000 px is 10m', m.panelIntervalMs(range(7 * 86400e3), 1000, 15000), 600000);
eq('roundInterval 61s -> 1m', m.roundInterval(61000), 60000);
eq('roundInterval 100s -> 2m', m.roundInterval(100000), 120000);
eq('formatInterval', [m.formatInterval(60000), m.formatInterval(90000), m.formatInterval(500)], ['1m', '90s', '500ms']);
const ctx = { range: range(3600e3), vars: [], scrapeIntervalMs: 15000 };
const b = m.builtins(ctx, 15000);
eq('$__rate_interval is 4x scrape at small intervals', b.__rate_interval, '1m');
eq('$__rate_interval is interval + scrape at large ones', m.builtins(ctx, 120000).__rate_interval, '135s');
eq('$__range family', [b.__range, b.__range_s, b.__range_ms, b.__interval_ms], ['3600s', '3600', '3600000', '15000']);
eq('rate interval follows the dashboard scrape interval', m.builtins({ ...ctx, scrapeIntervalMs: 30000 }, 15000).__rate_interval, '2m');

// Time.
const now = Date.UTC(2024, 0, 2, 15, 4, 5);
eq('now-6h', m.parseTime('now-6h', now, false), now - 6 * 3600e3);
eq('now/d from and to', [m.parseTime('now/d', now, false), m.parseTime('now/d', now, true)], [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3) - 1]);
eq('epoch ms', m.parseTime('1700000000000', now, false), 1700000000000);
eq('invalid', m.parseTime('now-6x', now, false), null);
eq('from after to is no range', m.resolveRange('now', 'now-1h', now), null);

// Variables.
const v = (o, url) => {
  const s = m.newVarState({ type: 'custom', ...o }, url);
  return s;
};
const job = v({ name: 'job', multi: true, includeAll: true, current: { value: ['a.b', 'c'] } });
job.options = [{ text: 'a.b', value: 'a.b' }, { text: 'c', value: 'c' }, { text: 'd|e', value: 'd|e' }];
const single = v({ name: 'inst', current: { value: "it's" } });
single.options = [{ text: "it's", value: "it's" }];
const vars = [job, single];
eq('multi value: regex alternation with escaping', m.interpolate('up{job=~"$job"}', vars, {}), 'up{job=~"(a\\\\.b|c)"}');
eq('single value: string escaping', m.interpolate("x{i='$inst'}", vars, {}), "x{i='it\\\\'s'}");
eq('${var:csv} ${var:pipe} [[var]]', m.interpolate('${job:csv} ${job:pipe} [[job]]', vars, {}), 'a.b,c a.b|c (a\\\\.b|c)');
eq('${var:regex}', m.interpolate('${job:regex}', vars, {}), '(a\\.b|c)');
job.current = [m.kAll];
eq('All without allValue: every option', m.interpolate('$job', vars, {}), '(a\\\\.b|c|d\\\\|e)');
job.allValue = '.*';
eq('All with allValue', m.interpolate('$job', vars, {}), '.*');
eq('builtins and unknown names', m.interpolate('rate(x[$__rate_interval]) $nope', vars, { __rate_interval: '1m' }), 'rate(x[1m]) $nope');
eq('scoped value (repeat)', m.interpolate('$job', vars, {}, { job: 'c' }), 'c');
const fromUrl = m.newVarState({ name: 'job', multi: true, includeAll: true, current: { value: 'x' } }, ['All']);
eq('var-job=All from the URL', fromUrl.current, [m.kAll]);
eq('selectedValues of All', (() => { job.allValue = null; return m.selectedValues(job); })(), ['a.b', 'c', 'd|e']);

// Variable queries and regex (query_result with a capture group).
const origFetch = globalThis.fetch;
globalThis.fetch = async (url) => ({
  status: 200,
  json: async () =>
    String(url).includes('/api/v1/query?')
      ? { status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'api' }, value: [1, '1'] }, { metric: { __name__: 'up', job: 'web' }, value: [1, '0'] }] } }
      : String(url).includes('/label/job/values')
        ? { status: 'success', data: ['b', 'a', 'c'] }
        : { status: 'success', data: [] },
});
const qv = m.newVarState({ name: 'j', type: 'query', query: { query: 'query_result(up)' }, regex: '/job="([^"]+)"/' }, undefined);
await m.loadOptions(qv, range(3600e3), (s) => s);
eq('query_result with regex capture', qv.options.map((o) => o.value), ['api', 'web']);
eq('first option selected when none is current', qv.current, ['api']);
const lv = m.newVarState({ name: 'j', type: 'query', query: 'label_values(up, job)', sort: 2, includeAll: true, current: { value: '$__all' } }, undefined);
await m.loadOptions(lv, range(3600e3), (s) => s);
eq('label_values sorted descending, All kept', [lv.options.map((o) => o.value), lv.current], [['c', 'b', 'a'], [m.kAll]]);
globalThis.fetch = origFetch;

// Heatmap buckets: sorted by le, +Inf last, de-cumulated.
const f = (le, vals) => ({ refId: 'A', name: le, labels: { le }, times: [1000, 2000], values: vals });
const hm = m.heatmapBuckets([f('+Inf', [10, 12]), f('0.5', [4, 4]), f('0.1', [1, 2]), f('1', [9, 10])]);
eq('le order', hm.bounds, ['0.1', '0.5', '1', '+Inf']);
eq('de-cumulated counts', hm.counts, [[1, 2], [3, 2], [5, 6], [1, 2]]);

// Legends, reducers, units.
eq('legendFormat', m.legendName('{{job}} / {{ instance }}', { job: 'api', instance: 'h:1' }), 'api / h:1');
eq('legend __auto', m.legendName('__auto', { __name__: 'up', job: 'a' }), 'up{job="a"}');
eq('reducers', ['lastNotNull', 'mean', 'max', 'sum', 'count', 'last'].map((c) => m.reduce([1, 3, null], c)), [3, 2, 3, 4, 2, null]);
eq('units', [m.formatUnit(0.25, 'percentunit'), m.formatUnit(1536, 'bytes'), m.formatUnit(0.0123, 's'), m.formatUnit(1234.5, 'currencyUSD'), m.formatUnit(2500, 'reqps'), m.formatUnit(42, 'percent', 1)], ['25%', '1.5 KiB', '12.3 ms', '$1.23K', '2.5 K req/s', '42.0%']);

// Thresholds and mappings.
const field = { thresholds: { steps: [{ color: 'green', value: null }, { color: 'red', value: 80 }] }, mappings: [{ type: 'value', options: { 1: { text: 'UP', color: 'green' } } }, { type: 'range', options: { from: 2, to: 5, result: { text: 'low' } } }] };
eq('threshold colours', [m.thresholdColor(field, 10), m.thresholdColor(field, 90)], ['#73BF69', '#F2495C']);
eq('value mappings', [m.display(field, 1).text, m.display(field, 3).text, m.display(field, 7).text], ['UP', 'low', '7']);

// Layout: legacy rows become sections in 24 columns.
const secs = m.sections({ rows: [{ title: 'R', height: '300px', panels: [{ span: 6 }, { span: 6 }, { span: 4 }] }] });
eq('legacy rows', secs[0].panels.map((p) => p.gridPos), [{ x: 0, y: 0, w: 12, h: 10 }, { x: 12, y: 0, w: 12, h: 10 }, { x: 0, y: 10, w: 8, h: 10 }]);
const nested = m.sections({ panels: [{ type: 'stat', gridPos: { x: 0, y: 0, w: 6, h: 4 } }, { type: 'row', collapsed: true, title: 'C', gridPos: { y: 4 }, panels: [{ type: 'graph', gridPos: { x: 0, y: 5, w: 24, h: 8 } }] }] });
eq('collapsed rows keep their panels', nested.map((s) => [s.row?.title ?? null, s.collapsed, s.panels.length]), [[null, false, 1], ['C', true, 1]]);

console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
