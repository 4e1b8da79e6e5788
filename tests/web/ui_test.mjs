// Browser tests of the web UI: a real build/strata on 127.0.0.1 scraping a
// fake target (fixed values) and evaluating a rule file, driven through
// Debian's /usr/bin/chromium by playwright-core (never a downloaded browser).
//
//   node ui_test.mjs <strata binary> <playwright node_modules> <artefact dir>
//
// Each check prints "ok <name>" or "FAIL <name>: why"; screenshots of every
// page go to the artefact dir. Exits 0 when all pass, 1 otherwise, 77 (ctest
// SKIP) only when chromium is not installed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [strataBin, modulesDir, outDir] = process.argv.slice(2);
const kChromium = '/usr/bin/chromium';
if (!existsSync(kChromium)) {
  console.log('SKIP: /usr/bin/chromium is not installed (make deps installs it)');
  process.exit(77);
}
const { chromium } = createRequire(join(modulesDir, 'x.js'))('playwright-core');
mkdirSync(outDir, { recursive: true });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Generous: ctest runs this beside heavy tests on two cores.
async function until(what, fn, ms = 60000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

// The fake target: three temperatures that never change, so the query's
// table values and series count are known.
const kRooms = { a: '21', b: '22.5', c: '19' };
const exposition =
  '# HELP ui_test_temperature_celsius Room temperature.\n# TYPE ui_test_temperature_celsius gauge\n' +
  Object.entries(kRooms)
    .map(([room, v]) => `ui_test_temperature_celsius{room="${room}"} ${v}\n`)
    .join('');
const target = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
  res.end(exposition);
});
await new Promise((r) => target.listen(0, '127.0.0.1', r));
const targetPort = target.address().port;
// A port nobody listens on: the down target with a last error.
const closed = createServer();
await new Promise((r) => closed.listen(0, '127.0.0.1', r));
const closedPort = closed.address().port;
await new Promise((r) => closed.close(r));
const probe = createServer();
await new Promise((r) => probe.listen(0, '127.0.0.1', r));
const port = probe.address().port;
await new Promise((r) => probe.close(r));

const tmp = mkdtempSync(join(tmpdir(), 'strata-ui-test-'));
writeFileSync(
  join(tmp, 'strata.yml'),
  `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
scrape_configs:
- job_name: rooms
  static_configs: [{targets: ['127.0.0.1:${targetPort}'], labels: {site: lab}}]
- job_name: broken
  static_configs: [{targets: ['127.0.0.1:${closedPort}']}]
`
);
writeFileSync(
  join(tmp, 'rules.yml'),
  `groups:
- name: rooms
  rules:
  - record: site:ui_test_temperature_celsius:max
    expr: max by (site) (ui_test_temperature_celsius)
  - alert: RoomTooWarm
    expr: ui_test_temperature_celsius > 20
    labels: {severity: page}
    annotations: {summary: 'Room {{ $labels.room }} is at {{ $value }} degrees'}
  - alert: RoomOnFire
    expr: ui_test_temperature_celsius > 1000
`
);
const server = spawn(strataBin, [`--config.file=${join(tmp, 'strata.yml')}`, `--storage.tsdb.path=${join(tmp, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
const base = `http://127.0.0.1:${port}`;
const api = async (path) => {
  const r = await fetch(base + '/api/v1/' + path);
  const j = await r.json();
  if (j.status !== 'success') throw new Error(JSON.stringify(j));
  return j.data;
};

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}
function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

let browser;
try {
  await until('strata ready', async () => (await fetch(base + '/-/ready')).ok);
  // Enough scraped history for a graph, and both alerts firing.
  await until('three scraped series', async () => (await api('query?query=ui_test_temperature_celsius')).result.length === 3);
  await until('alerts firing', async () => (await api('alerts')).alerts.filter((a) => a.state === 'firing').length === 2);
  await sleep(2500);

  // The listener must pass the pre-gzipped bytes through untouched and
  // answer 304 itself (the handler-level cases are in server_test UiRoutes*).
  await check('assets over HTTP: gzip once, ETag, 304', async () => {
    const raw = (path, headers) =>
      new Promise((resolve, reject) =>
        httpGet(base + path, { headers }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject)
      );
    const html = await raw('/query', { 'accept-encoding': 'gzip' });
    expect(html.status === 200 && html.headers['cache-control'] === 'no-cache', JSON.stringify(html.headers));
    const { gunzipSync } = await import('node:zlib');
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html.headers['content-encoding'] === 'gzip' ? gunzipSync(html.body).toString() : html.body.toString())[1];
    const a = await raw(js, { 'accept-encoding': 'gzip' });
    expect(a.status === 200 && a.headers['content-encoding'] === 'gzip' && a.headers['content-type'].startsWith('text/javascript'), JSON.stringify(a.headers));
    expect(gunzipSync(a.body).length > a.body.length, 'gzipped once');
    expect(/immutable/.test(a.headers['cache-control']), a.headers['cache-control']);
    const again = await raw(js, { 'accept-encoding': 'gzip', 'if-none-match': a.headers.etag });
    expect(again.status === 304 && again.body.length === 0, `304: ${again.status}`);
    const plain = await raw(js, {});
    expect(plain.status === 200 && !plain.headers['content-encoding'] && plain.body.equals(gunzipSync(a.body)), 'identity');
    expect((await raw('/assets/%2e%2e/%2e%2e/etc/passwd', {})).status === 404, 'encoded dot-dot');
    expect((await raw('/assets/nope.js', {})).status === 404, 'unknown asset');
  });

  browser = await chromium.launch({ executablePath: kChromium, args: ['--headless=new', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const consoleErrors = [];
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  const shot = (name) => page.screenshot({ path: join(outDir, name + '.png'), fullPage: true });

  await check('root redirects to /query', async () => {
    await page.goto(base + '/');
    expect(new URL(page.url()).pathname === '/query', page.url());
    await page.waitForSelector('.panel .cm-content');
  });

  await check('table view shows the expected values', async () => {
    await page.goto(base + '/query?g0.expr=' + encodeURIComponent('ui_test_temperature_celsius') + '&g0.tab=table');
    await page.waitForSelector('table.result-table tr');
    const rows = await page.$$eval('table.result-table tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(rows.length === 3, `rows: ${JSON.stringify(rows)}`);
    for (const [room, v] of Object.entries(kRooms)) {
      const row = rows.find((r) => r[0].includes(`room="${room}"`));
      expect(row && row[1] === v, `room ${room}: ${JSON.stringify(row)}`);
      expect(row[0].startsWith('ui_test_temperature_celsius{') && row[0].includes('job="rooms"'), row[0]);
    }
    await shot('query-table');
  });

  await check('graph view draws one line per series (Prometheus link parameters)', async () => {
    // A link as Prometheus 2 writes it: /graph, tab=0, stacked, range_input.
    await page.goto(base + '/graph?g0.expr=' + encodeURIComponent('ui_test_temperature_celsius') + '&g0.tab=0&g0.stacked=1&g0.range_input=5m');
    expect(new URL(page.url()).pathname === '/query', page.url());
    await page.waitForSelector('.graph canvas');
    const count = await page.getAttribute('.graph', 'data-series-count');
    expect(count === '3', `data-series-count ${count}`);
    const legend = await page.$$eval('.graph .u-legend .u-series', (xs) => xs.filter((x) => x.offsetParent !== null).length);
    expect(legend === 4, `legend rows (time + 3): ${legend}`);
    expect(await page.isChecked('input.stacked'), 'stacked not checked');
    expect((await page.inputValue('input.range')) === '5m', 'range');
    const url = new URL(page.url());
    expect(url.searchParams.get('g0.tab') === 'graph' && url.searchParams.get('g0.display_mode') === 'stacked', url.search);
    // Hovering shows values in the legend; clicking a legend row hides that series.
    const box = await page.locator('.graph .u-over').boundingBox();
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    const values = await page.$$eval('.graph .u-legend .u-series .u-value', (xs) => xs.map((x) => x.textContent));
    expect(values.slice(1).sort().join(',') === '19,21,22.5', `hover values ${values}`);
    await page.click('.graph .u-legend .u-series:nth-child(2) .u-label');
    expect(await page.$$eval('.graph .u-legend .u-series.u-off', (xs) => xs.length) === 1, 'series toggle');
    await shot('query-graph');
  });

  await check('moment_input and end_input from a Prometheus link', async () => {
    const q = new URLSearchParams({
      'g0.expr': 'ui_test_temperature_celsius',
      'g0.tab': 'table',
      'g0.moment_input': '2001-02-03 04:05:06',
      'g1.expr': 'ui_test_temperature_celsius',
      'g1.tab': 'graph',
      'g1.end_input': '2001-02-03 04:05:06',
      'g1.range_input': '2h',
      'g1.step_input': '60',
    });
    await page.goto(base + '/query?' + q);
    await page.waitForSelector('.panel:nth-child(1) .eval-time');
    expect((await page.textContent('.panel:nth-child(1) .eval-time')).includes('2001-02-03 04:05:06'), 'eval time');
    expect((await page.$$('.panel:nth-child(1) table.result-table tr')).length === 0, 'no rows in 2001');
    await page.waitForSelector('.panel:nth-child(2) .graph');
    expect((await page.getAttribute('.panel:nth-child(2) .graph', 'data-series-count')) === '0', 'no series in 2001');
    expect((await page.inputValue('.panel:nth-child(2) input.time')) === '2001-02-03 04:05:06', 'end input');
    expect((await page.inputValue('.panel:nth-child(2) input.step')) === '60', 'step input');
    expect((await page.inputValue('.panel:nth-child(2) input.range')) === '2h', 'range input');
  });

  await check('several panels, errors and warnings shown', async () => {
    const q = new URLSearchParams({
      'g0.expr': 'sum(rate(ui_test_temperature_celsius[1m]))',
      'g0.tab': 'table',
      'g1.expr': 'sum(',
      'g1.tab': 'table',
    });
    await page.goto(base + '/query?' + q);
    await page.waitForSelector('.panel:nth-child(2) .query-error');
    expect((await page.$$('.panel')).length === 2, 'two panels');
    const err = await page.textContent('.panel:nth-child(2) .query-error');
    expect(/parse error/.test(err), err);
    // rate() of a gauge: PromQL's info annotation.
    await page.waitForSelector('.panel:nth-child(1) table.result-table');
    const notes = await page.textContent('.panel:nth-child(1) .notes');
    expect(/Info: .*(gauge|counter)/i.test(notes), `notes: ${notes}`);
    await shot('query-panels');
    // The browser logs the 400 of the query the panel shows as an error.
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (consoleErrors[i].includes('status of 400')) consoleErrors.splice(i, 1);
  });

  await check('autocomplete offers a metric name', async () => {
    await page.goto(base + '/query');
    await page.click('.panel .cm-content');
    await page.keyboard.type('ui_test_te');
    await page.waitForSelector('.cm-tooltip-autocomplete li', { timeout: 10000 });
    const options = await page.$$eval('.cm-tooltip-autocomplete li', (xs) => xs.map((x) => x.textContent));
    expect(options.some((o) => o.includes('ui_test_temperature_celsius')), JSON.stringify(options));
    await shot('query-autocomplete');
    await page.keyboard.press('Enter'); // accepts the completion
    await page.keyboard.press('Enter'); // runs the query
    await page.waitForSelector('table.result-table tr');
    const url = new URL(page.url());
    expect(url.searchParams.get('g0.expr') === 'ui_test_temperature_celsius', url.search);
  });

  await check('targets page lists what the API lists', async () => {
    const data = await api('targets');
    await page.goto(base + '/targets');
    await page.waitForSelector('tr.target');
    const rows = await page.$$eval('tr.target', (trs) => trs.map((tr) => tr.textContent));
    expect(rows.length === data.activeTargets.length, `${rows.length} rows, API ${data.activeTargets.length}`);
    for (const t of data.activeTargets) expect(rows.some((r) => r.includes(t.scrapeUrl) && r.includes(t.health.toUpperCase())), t.scrapeUrl);
    const broken = data.activeTargets.find((t) => t.scrapePool === 'broken');
    expect(broken.health === 'down' && rows.some((r) => r.includes(broken.lastError)), 'down target error');
    expect((await page.$$('details.pool')).length === 2, 'two pools');
    await page.check('input.unhealthy-only');
    expect((await page.$$('tr.target')).length === 1, 'unhealthy filter');
    await page.uncheck('input.unhealthy-only');
    await page.fill('input.filter', 'room');
    expect((await page.$$('details.pool')).length === 0 || (await page.$$('tr.target')).length <= 1, 'text filter');
    await page.fill('input.filter', 'site="lab"');
    expect((await page.$$('tr.target')).length === 1, 'label filter');
    await page.fill('input.filter', '');
    await shot('targets');
  });

  await check('rules page lists what the API lists', async () => {
    const groups = (await api('rules')).groups;
    await page.goto(base + '/rules');
    await page.waitForSelector('tr.rule');
    const names = await page.$$eval('.rule-name', (xs) => xs.map((x) => x.textContent));
    const want = groups.flatMap((g) => g.rules.map((r) => (r.type === 'alerting' ? 'alert: ' : 'record: ') + r.name));
    expect(JSON.stringify(names) === JSON.stringify(want), `${names} vs ${want}`);
    await shot('rules');
  });

  await check('alerts page lists what the API lists', async () => {
    const alerts = (await api('alerts')).alerts;
    await page.goto(base + '/alerts');
    await page.waitForSelector('tr.alert');
    const rows = await page.$$eval('tr.alert', (trs) => trs.map((tr) => tr.textContent));
    expect(rows.length === alerts.length, `${rows.length} rows, API ${alerts.length}`);
    for (const a of alerts) {
      expect(rows.some((r) => r.includes(`room="${a.labels.room}"`) && r.includes(a.annotations.summary) && r.includes(a.activeAt)), JSON.stringify(a));
    }
    const states = await page.$$eval('details.alert-rule', (xs) => xs.map((x) => x.dataset.alert + ':' + x.className));
    expect(states.some((s) => s.startsWith('RoomTooWarm:') && s.includes('state-firing')), states.join());
    expect(states.some((s) => s.startsWith('RoomOnFire:') && s.includes('state-inactive')), states.join());
    await page.uncheck('input[data-state=inactive]');
    expect((await page.$$('details.alert-rule')).length === 1, 'state filter');
    await shot('alerts');
  });

  await check('status page shows the build info', async () => {
    const info = await api('status/buildinfo');
    await page.goto(base + '/status');
    await page.waitForSelector('[data-section="status/buildinfo"] table');
    const text = await page.textContent('[data-section="status/buildinfo"]');
    expect(text.includes(info.version) && text.includes(info.revision), text);
    expect((await page.textContent('[data-section="status/runtimeinfo"]')).includes('storageRetention'), 'runtime info');
    await shot('status');
  });

  await check('TSDB, flags, config, service discovery and Alertmanager pages render', async () => {
    await page.goto(base + '/tsdb-status');
    await page.waitForSelector('.top-list td');
    expect((await page.textContent('main')).includes('ui_test_temperature_celsius'), 'top list');
    await shot('tsdb-status');
    await page.goto(base + '/flags');
    await page.waitForSelector('table.kv');
    expect((await page.textContent('main')).includes('--storage.tsdb.path'), 'flags');
    await page.goto(base + '/config');
    await page.waitForSelector('pre.config');
    expect((await page.textContent('pre.config')).includes('job_name: rooms'), 'config');
    await page.goto(base + '/service-discovery');
    await page.waitForSelector('details.pool');
    expect((await page.textContent('main')).includes(`127.0.0.1:${targetPort}`), 'sd');
    await shot('service-discovery');
    await page.goto(base + '/alertmanager-discovery');
    await page.waitForSelector('h2');
  });

  await check('a page whose backend is missing says so', async () => {
    await page.route('**/api/v1/status/tsdb', (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: '404 page not found' }));
    await page.goto(base + '/tsdb-status');
    await page.waitForSelector('.notice.missing');
    await page.unroute('**/api/v1/status/tsdb');
    // The 404 of the mocked answer is logged by the browser; not an app error.
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (consoleErrors[i].includes('404')) consoleErrors.splice(i, 1);
  });

  await check('no console errors', async () => {
    expect(consoleErrors.length === 0, consoleErrors.join('\n'));
  });

  await check('first load of /query (cold cache)', async () => {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    const t0 = Date.now();
    await p.goto(base + '/query', { waitUntil: 'load' });
    await p.waitForSelector('.panel .cm-content');
    const ms = Date.now() - t0;
    const bytes = await p.evaluate(() => performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, 0) + performance.getEntriesByType('navigation')[0].transferSize);
    writeFileSync(join(outDir, 'first-load.txt'), `first load of /query until the editor is shown: ${ms} ms, ${bytes} bytes transferred\n`);
    console.log(`# first load ${ms} ms, ${bytes} bytes transferred`);
    await fresh.close();
  });
} catch (e) {
  failures++;
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  target.close();
  await new Promise((r) => (server.exitCode !== null ? r() : server.on('exit', r)));
  if (failures) console.log('--- strata log (tail) ---\n' + serverLog.slice(-3000));
  rmSync(tmp, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
