// Browser tests of the dashboards page: the stand-in service of
// deploy/compose/demo (every job of deploy/compose/strata.yml, scraped every
// second) and a real build/strata with --web.dashboards.dir=deploy/dashboards,
// driven through Debian's /usr/bin/chromium by playwright-core.
//
//   node dashboards_test.mjs <strata> <repo root> <playwright node_modules> <artefact dir>
//
// For each seed dashboard: it opens, every supported panel shows data (a
// canvas or a value) and no console errors, variables have options, the
// lint panel has no findings, and the URL (from/to, var-*) reopens the same
// view. A fixture with a broken query shows its finding and the
// unsupported-panel placeholder. Screenshots go to the artefact dir.
// Exits 0 when all pass, 1 otherwise, 77 (SKIP) without chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [strataBin, repo, modulesDir, outDir] = process.argv.slice(2);
const kChromium = '/usr/bin/chromium';
if (!existsSync(kChromium)) {
  console.log('SKIP: /usr/bin/chromium is not installed (make deps installs it)');
  process.exit(77);
}
const { chromium } = createRequire(join(modulesDir, 'x.js'))('playwright-core');
mkdirSync(outDir, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
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
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

// Panels whose metrics the stand-in does not serve: they must say "No data",
// not stay blank. (It serves every metric the dashboards use today.)
const kNoDataPanels = {};
// Panels with a min interval of an hour or a day query on the hour (or day)
// grid, as Grafana aligns it: the stand-in's few seconds of history are not
// there yet. They too must say "No data" or show data.
const minIntervalS = (p) => {
  const m = /^>?(\d+)([smhd])$/.exec(String(p.interval ?? ''));
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2]] : 0;
};
const kJobs = ['llm-bot', 'batch-worker', 'api-gateway', 'airtable-gateway', 'llm-orchestrator', 'mcp-server', 'platform-services', 'automation-services', 'gateway-service', 'auth-service', 'token-service', 'cadvisor'];
const demoPort = await freePort();
const port = await freePort();
const tmp = mkdtempSync(join(tmpdir(), 'strata-dash-test-'));
writeFileSync(
  join(tmp, 'strata.yml'),
  `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['${join(repo, 'deploy/rules')}/*.rules.yml']
scrape_configs:
${kJobs.map((j) => `- job_name: ${j}\n  metrics_path: /metrics/${j}\n  static_configs: [{targets: ['127.0.0.1:${demoPort}']}]`).join('\n')}
`
);
// The shipped dashboards plus the broken fixture, in a directory of their own.
const dashDir = join(tmp, 'dashboards');
mkdirSync(dashDir);
const seeds = readdirSync(join(repo, 'deploy/dashboards')).filter((f) => f.endsWith('.json')).sort();
for (const f of seeds) copyFileSync(join(repo, 'deploy/dashboards', f), join(dashDir, f));
copyFileSync(join(repo, 'tests/web/fixtures/broken-query.json'), join(dashDir, 'zz-broken-query.json'));
copyFileSync(join(repo, 'tests/web/fixtures/legacy-features.json'), join(dashDir, 'zz-legacy-features.json'));
const kFixtures = ['broken-query', 'legacy-features'];

const procs = [];
const logs = { demo: '', strata: '' };
function start(name, cmd, args) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.on('data', (d) => (logs[name] = (logs[name] + d).slice(-20000)));
  p.stderr.on('data', (d) => (logs[name] = (logs[name] + d).slice(-20000)));
  procs.push(p);
  return p;
}
start('demo', '/usr/bin/python3', [join(repo, 'deploy/compose/demo/demo_service.py'), '--listen', `127.0.0.1:${demoPort}`]);
start('strata', strataBin, [`--config.file=${join(tmp, 'strata.yml')}`, `--storage.tsdb.path=${join(tmp, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.dashboards.dir=${dashDir}`]);
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
  await until('every job up', async () => (await api('query?query=sum(up)')).result[0]?.value[1] === String(kJobs.length));
  // rate() needs two samples inside its window, and the last point of a
  // range query is up to one step (15 s at the 15-minute range below) old.
  await sleep(22000);
  // The recording rules the dashboards read run every minute (their groups' interval).
  await until('recording rules evaluated', async () => (await api('query?query=count(operation:batch_errors:ratio_rate15m) and count(operation:batch_slowdown_factor:ratio15m_1d) and count(name:container_memory_working_set_bytes:ratio_limit)')).result.length === 1, 120000);
  // A panel's range ends at `now` floored to its step (Grafana's alignment):
  // wait one step more, so the first recorded samples are inside every range.
  await sleep(16000);

  browser = await chromium.launch({ executablePath: kChromium, args: ['--headless=new', '--disable-gpu', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    // Containers started by other tests on this machine change its network
    // interfaces, and chromium then aborts requests in flight: not the UI's fault.
    if (m.type() === 'error' && !m.text().includes('ERR_NETWORK_CHANGED')) consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  const shot = (name) => page.screenshot({ path: join(outDir, `dashboard-${name}.png`), fullPage: true });

  const list = await api('strata/dashboards');
  await check('the list holds every seed dashboard', async () => {
    expect(list.length === seeds.length + kFixtures.length, `listed ${list.length}, expected ${seeds.length + kFixtures.length}`);
    await page.goto(base + '/dashboards');
    await page.waitForSelector('table.dash-list');
    const n = await page.locator('table.dash-list a[data-uid]').count();
    expect(n === seeds.length + kFixtures.length, `page lists ${n}`);
    expect((await page.locator('nav a.active').textContent()) === 'Dashboards', 'nav entry');
    await shot('list');
  });

  // Expands collapsed rows, waits for every panel to settle, returns their states.
  async function openAndSettle(url) {
    await page.goto(url);
    await page.waitForSelector('.dash-panel');
    for (let i = 0; i < 20; i++) {
      const rows = page.locator('.dash-row.collapsed');
      if ((await rows.count()) === 0) break;
      await rows.first().click();
    }
    await until('panels settled', async () => (await page.locator('.dash-panel[data-state="loading"]').count()) === 0, 45000);
    await until('lint shown', async () => (await page.locator('.lint-summary, .lint-error').count()) > 0, 30000);
    return page.$$eval('.dash-panel', (els) =>
      els.map((e) => ({
        type: e.dataset.panelType,
        state: e.dataset.state,
        title: e.querySelector('.panel-title')?.textContent ?? '',
        drawn: e.querySelectorAll('canvas, svg, .stat-value, table.dash-table td, .markdown').length,
        error: e.querySelector('.panel-error')?.textContent ?? '',
      }))
    );
  }

  for (const d of list.filter((x) => !kFixtures.includes(x.uid))) {
    await check(`dashboard ${d.uid} renders every panel with data`, async () => {
      const before = consoleErrors.length;
      // 15 minutes: the stand-in's history is a few seconds long.
      const panels = await openAndSettle(`${base}/dashboards/${encodeURIComponent(d.uid)}?from=now-15m&to=now`);
      expect(panels.length > 0, 'no panels');
      const known = kNoDataPanels[d.uid] ?? [];
      const json = (await api('strata/dashboards/' + encodeURIComponent(d.uid)));
      const flat = (ps) => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
      const coarse = new Set(flat(json.panels ?? []).filter((p) => minIntervalS(p) >= 3600).map((p) => p.title));
      const bad = panels.filter((p) =>
        known.includes(p.title) ? p.state !== 'nodata' : coarse.has(p.title) ? !['data', 'nodata'].includes(p.state) : p.state !== 'data' || p.drawn === 0
      );
      expect(bad.length === 0, 'panels without data: ' + JSON.stringify(bad));
      const vars = await page.$$eval('.var[data-var-name]', (els) => els.map((e) => [e.dataset.varName, Number(e.dataset.options)]));
      const empty = vars.filter(([, n]) => n === 0);
      expect(empty.length === 0, 'variables without options: ' + JSON.stringify(empty));
      expect((await page.getAttribute('.lint-summary', 'data-count')) === '0', 'lint findings: ' + (await page.textContent('.lint-section')));
      await shot(d.uid);
      expect(consoleErrors.length === before, consoleErrors.slice(before).join('\n'));
    });
  }

  await check('a URL with from/to and var-... opens the same view', async () => {
    await page.goto(`${base}/dashboards/llm-bot-performance`);
    await page.waitForSelector('.var[data-var-name] select');
    await until('variables loaded', async () => Number(await page.getAttribute('.var[data-var-name="provider"]', 'data-options')) > 0);
    const opts = await page.$$eval('.var[data-var-name="provider"] option', (os) => os.map((o) => o.value).filter((v) => v !== '$__all'));
    const pick = opts[0];
    const url = `${base}/dashboards/llm-bot-performance?from=now-15m&to=now&var-provider=${encodeURIComponent(pick)}`;
    await openAndSettle(url);
    expect((await page.inputValue('input[data-time="from"]')) === 'now-15m', 'from');
    const selected = await page.$$eval('.var[data-var-name="provider"] option', (os) => os.filter((o) => o.selected).map((o) => o.value));
    expect(selected.length === 1 && selected[0] === pick, 'selected ' + JSON.stringify(selected));
    // The address bar keeps the state (Grafana's parameters).
    const u = new URL(page.url());
    expect(u.searchParams.get('from') === 'now-15m' && u.searchParams.getAll('var-provider')[0] === pick, 'url ' + page.url());
    await shot('url-state');
  });

  await check('changing the time range rewrites the URL', async () => {
    await page.selectOption('select.quick-range', 'now-30m');
    await until('url', async () => new URL(page.url()).searchParams.get('from') === 'now-30m');
  });

  await check('broken fixture: lint finding, placeholder, safe text', async () => {
    const panels = await openAndSettle(`${base}/dashboards/broken-query`);
    const lint = await page.getAttribute('.lint-summary', 'data-count');
    expect(Number(lint) >= 1, 'lint count ' + lint);
    const checks = await page.$$eval('.lint-finding', (els) => els.map((e) => e.dataset.check));
    expect(checks.includes('promql-syntax'), 'checks ' + checks);
    const news = panels.find((p) => p.type === 'news');
    expect(news && news.state === 'unsupported', 'placeholder state');
    expect((await page.textContent('.dash-panel[data-panel-type="news"]')).includes('panel type news is not rendered by Strata'), 'placeholder text');
    const broken = panels.find((p) => p.type === 'timeseries');
    expect(broken.state === 'error' && broken.error.includes('parse error'), 'query error shown: ' + JSON.stringify(broken));
    expect(!(await page.evaluate(() => window.__injected)), 'script injected');
    expect((await page.locator('.markdown script').count()) === 0 && (await page.locator('.markdown a[href^="javascript"]').count()) === 0, 'unsafe markup');
    await shot('broken-query');
    // The broken query's 400 is the point of this fixture, not an app error.
    for (let i = consoleErrors.length - 1; i >= 0; i--) if (consoleErrors[i].includes('status of 400')) consoleErrors.splice(i, 1);
  });

  await check('legacy rows, graph panel, repeats, collapsed rows, variable kinds', async () => {
    await page.goto(`${base}/dashboards/legacy-features`);
    await page.waitForSelector('.dash-panel');
    await until('panels settled', async () => (await page.locator('.dash-panel[data-state="loading"]').count()) === 0, 45000);
    const titles = await page.$$eval('.dash-panel .panel-title', (els) => els.map((e) => e.textContent));
    expect(JSON.stringify(titles) === JSON.stringify(['up of llm-bot', 'up of batch-worker']), 'repeated titles ' + JSON.stringify(titles));
    expect((await page.locator('.dash-panel[data-panel-type="graph"][data-state="data"] canvas').count()) === 2, 'graphs drawn');
    const opts = Object.fromEntries(await page.$$eval('.var[data-var-name]', (els) => els.map((e) => [e.dataset.varName, Number(e.dataset.options)])));
    expect(opts.scrapejob === kJobs.length && opts.metric > 3 && opts.label > 2 && opts.iv === 2 && opts.job === 3, 'options ' + JSON.stringify(opts));
    expect(!('konst' in opts), 'hidden variable shown');
    await page.click('.dash-row.collapsed');
    await until('expanded', async () => (await page.locator('.dash-panel[data-panel-type="singlestat"][data-state="data"] .stat-value').count()) === 1);
    expect((await page.textContent('.dash-panel[data-panel-type="singlestat"] .panel-title')) === 'targets up (hello)', 'textbox value');
    // Choosing one value of the repeat variable leaves one panel, and the URL says so.
    await page.selectOption('.var[data-var-name="job"] select', ['api-gateway']);
    await until('one repeat', async () => (await page.locator('.dash-panel[data-panel-type="graph"]').count()) === 1);
    expect(new URL(page.url()).searchParams.getAll('var-job').join() === 'api-gateway', 'url ' + page.url());
    await page.waitForSelector('.lint-summary');
    expect((await page.getAttribute('.lint-summary', 'data-count')) === '0', 'lint: ' + (await page.textContent('.lint-section')));
    await shot('legacy-features');
  });

  await check('an uploaded file renders without being stored', async () => {
    await page.goto(base + '/dashboards');
    await page.setInputFiles('input.upload', join(repo, 'deploy/dashboards', 'llm-bot-cost.json'));
    await page.waitForSelector('.dash-panel');
    await until('panels settled', async () => (await page.locator('.dash-panel[data-state="loading"]').count()) === 0, 45000);
    expect((await page.locator('.dash-panel[data-state="data"]').count()) > 0, 'no data');
    expect((await page.textContent('h1')).includes('uploaded'), 'upload marker');
    expect((await api('strata/dashboards')).length === seeds.length + kFixtures.length, 'stored');
  });

  await check('no console errors', async () => {
    expect(consoleErrors.length === 0, consoleErrors.join('\n'));
  });
} catch (e) {
  failures++;
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close();
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.on('exit', r)))));
  if (failures) console.log('--- strata log (tail) ---\n' + logs.strata.slice(-3000) + '\n--- demo log (tail) ---\n' + logs.demo.slice(-1500));
  rmSync(tmp, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
