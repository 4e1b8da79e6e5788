// The dashboards page: /dashboards lists the dashboards of
// --web.dashboards.dir (and takes an uploaded file, rendered in the browser
// and never sent to be stored); /dashboards/<uid> renders one with live data
// from this server: the time picker and refresh, template variables, rows
// and panels, and the linter's findings. The URL holds the view the way
// Grafana's does (from, to, refresh, var-<name>), so links can be shared.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { failure, loading, title } from '../page';
import { lintSection } from './lint_panel';
import { renderPanels, ViewState } from './panel_grid';
import { kQuickRanges, parseIntervalMs, resolveRange } from './time';
import { kAll, loadOptions, newVarState, VarState, interpolate } from './vars';

type Json = Record<string, unknown>;
interface ListEntry {
  uid: string;
  title: string;
  file: string;
  tags: string[];
}

// An uploaded file is at most this large (the server's lint limit too).
const kMaxUploadBytes = 4 << 20;
const kRefreshChoices = ['', '10s', '30s', '1m', '5m'];

export async function dashboardsPage(root: HTMLElement): Promise<void> {
  const rest = location.pathname.slice('/dashboards'.length).replace(/^\/+/, '');
  if (rest) {
    const uid = decodeURIComponent(rest);
    clear(root, loading());
    const r = await apiGet<Json>('strata/dashboards/' + encodeURIComponent(uid));
    if (!r.ok) {
      clear(root, title('Dashboard'), failure('Loading dashboard ' + uid, r));
      return;
    }
    renderView(root, r.data!, null);
    return;
  }
  await renderList(root);
}

async function renderList(root: HTMLElement): Promise<void> {
  clear(root, title('Dashboards'), loading());
  const r = await apiGet<ListEntry[]>('strata/dashboards');
  const upload = h('input', { type: 'file', accept: '.json,application/json', class: 'upload' });
  const uploadNote = h('div', { class: 'upload-note' });
  upload.addEventListener('change', () => {
    const f = upload.files?.[0];
    if (!f) return;
    if (f.size > kMaxUploadBytes) {
      clear(uploadNote, h('div', { class: 'notice error' }, `${f.name}: ${f.size} bytes, more than the limit of ${kMaxUploadBytes}.`));
      return;
    }
    void f.text().then((text) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        clear(uploadNote, h('div', { class: 'notice error' }, `${f.name}: not valid JSON: ${(e as Error).message}`));
        return;
      }
      const obj = json && typeof json === 'object' && 'dashboard' in (json as Json) && !('panels' in (json as Json)) ? (json as Json).dashboard : json;
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
        clear(uploadNote, h('div', { class: 'notice error' }, `${f.name}: not a dashboard (a JSON object)`));
        return;
      }
      renderView(root, obj as Json, f.name);
    });
  });
  const parts: (Node | null)[] = [
    title('Dashboards'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', null, 'Open a dashboard JSON file (rendered here, not stored): ', upload)
    ),
    uploadNote,
  ];
  if (!r.ok) {
    clear(root, ...parts, failure('Listing dashboards', r));
    return;
  }
  const list = r.data ?? [];
  clear(
    root,
    ...parts,
    ...r.warnings.map((w) => h('div', { class: 'notice warning' }, w)),
    list.length === 0
      ? h('div', { class: 'notice info' }, 'No dashboards: start Strata with --web.dashboards.dir=DIR (a directory of Grafana dashboard JSON files), or open a file above.')
      : h(
          'table',
          { class: 'dash-list' },
          h('thead', null, h('tr', null, h('th', null, 'Title'), h('th', null, 'Tags'), h('th', null, 'File'))),
          h(
            'tbody',
            null,
            ...list.map((d) =>
              h(
                'tr',
                null,
                h('td', null, h('a', { href: '/dashboards/' + encodeURIComponent(d.uid), 'data-uid': d.uid }, d.title)),
                h('td', null, h('span', { class: 'labels' }, ...d.tags.map((t) => h('span', { class: 'label' }, t)))),
                h('td', { class: 'muted' }, d.file)
              )
            )
          )
        )
  );
}

function urlState(): URLSearchParams {
  return new URLSearchParams(location.search);
}

function renderView(root: HTMLElement, dash: Json, uploadedName: string | null): void {
  const q = urlState();
  const time = (dash.time ?? {}) as Json;
  const st: ViewState = {
    dash,
    from: q.get('from') ?? String(time.from ?? 'now-6h'),
    to: q.get('to') ?? String(time.to ?? 'now'),
    refresh: q.get('refresh') ?? (typeof dash.refresh === 'string' ? dash.refresh : ''),
    vars: [],
    scrapeIntervalMs: 15_000,
    range: resolveRange('now-6h', 'now')!,
  };
  // A dashboard's timeInterval (its data source's scrape interval) when written in it.
  for (const v of ((dash.templating as Json)?.list ?? []) as Json[]) {
    if (v && typeof v === 'object') st.vars.push(newVarState(v, q.has('var-' + v.name) ? q.getAll('var-' + v.name) : undefined));
  }
  const ti = typeof (dash as Json).timeInterval === 'string' ? parseIntervalMs(String(dash.timeInterval)) : null;
  if (ti) st.scrapeIntervalMs = ti;

  const header = h('div', { class: 'dash-header' });
  const varBar = h('div', { class: 'var-bar' });
  const grid = h('div', { class: 'dash-body' });
  const lint = h('section', { class: 'lint-section' });
  clear(root, header, varBar, grid, lint);
  let timer: number | undefined;
  let generation = 0;

  const writeUrl = () => {
    if (uploadedName) return;
    const p = new URLSearchParams();
    p.set('from', st.from);
    p.set('to', st.to);
    if (st.refresh) p.set('refresh', st.refresh);
    for (const v of st.vars) {
      if (v.type === 'constant' || v.type === 'datasource') continue;
      // "$__all" for All, as Grafana writes it.
      for (const c of v.current) p.append('var-' + v.name, c);
    }
    history.replaceState(null, '', location.pathname + '?' + p.toString());
  };

  const resolve = (): boolean => {
    const r = resolveRange(st.from, st.to);
    if (!r) return false;
    st.range = r;
    return true;
  };

  const panels = () => {
    generation++;
    resolve();
    renderPanels(grid, st, generation, () => generation);
  };

  const loadVars = async (fromIndex: number) => {
    for (let i = fromIndex; i < st.vars.length; i++) {
      const v = st.vars[i];
      await loadOptions(v, st.range, (s) => interpolate(s, st.vars.slice(0, i), {}));
    }
    renderVarBar();
  };

  const renderVarBar = () => {
    const controls = st.vars
      .filter((v) => v.hide !== 2)
      .map((v) => {
        const idx = st.vars.indexOf(v);
        const changed = async () => {
          writeUrl();
          await loadVars(idx + 1);
          writeUrl();
          panels();
        };
        let input: HTMLElement;
        if (v.type === 'textbox') {
          input = h('input', {
            value: v.current[0] ?? '',
            onchange: (e: Event) => {
              v.current = [(e.target as HTMLInputElement).value];
              void changed();
            },
          });
        } else if (v.type === 'constant') {
          return null;
        } else {
          const sel = h('select', { multiple: v.multi ? true : undefined, 'data-var': v.name });
          const opts = v.includeAll ? [{ text: 'All', value: kAll }, ...v.options] : v.options;
          for (const o of opts) {
            const opt = h('option', { value: o.value }, o.text);
            opt.selected = v.current.includes(o.value);
            sel.appendChild(opt);
          }
          sel.addEventListener('change', () => {
            let values = [...sel.selectedOptions].map((o) => o.value);
            if (values.includes(kAll) && values.length > 1) values = v.current.includes(kAll) ? values.filter((x) => x !== kAll) : [kAll];
            v.current = values;
            void changed();
          });
          input = sel;
        }
        return h(
          'label',
          { class: 'var', 'data-var-name': v.name, 'data-options': v.options.length },
          v.hide === 1 ? null : h('span', { class: 'var-label' }, v.label),
          input,
          v.error ? h('span', { class: 'error-text', title: v.error }, ' ⚠ ' + v.error) : null
        );
      });
    clear(varBar, ...controls);
  };

  const renderHeader = () => {
    const fromIn = h('input', { class: 'time', value: st.from, 'data-time': 'from' });
    const toIn = h('input', { class: 'time', value: st.to, 'data-time': 'to' });
    const quick = h('select', { class: 'quick-range' }, h('option', { value: '' }, 'Quick range…'), ...kQuickRanges.map(([v, t]) => h('option', { value: v }, t)));
    const err = h('span', { class: 'error-text' });
    const apply = () => {
      const r = resolveRange(fromIn.value, toIn.value);
      if (!r) {
        err.textContent = ' invalid time range';
        return;
      }
      st.from = fromIn.value;
      st.to = toIn.value;
      writeUrl();
      renderHeader();
      void loadVars(0).then(panels);
    };
    quick.addEventListener('change', () => {
      if (!quick.value) return;
      fromIn.value = quick.value;
      toIn.value = 'now';
      apply();
    });
    const refreshSel = h('select', { class: 'refresh' }, ...kRefreshChoices.map((r) => h('option', { value: r }, r || 'Off')));
    refreshSel.value = kRefreshChoices.includes(st.refresh) ? st.refresh : '';
    refreshSel.addEventListener('change', () => {
      st.refresh = refreshSel.value;
      writeUrl();
      schedule();
    });
    clear(
      header,
      h('h1', null, String(dash.title ?? 'Dashboard'), uploadedName ? h('span', { class: 'muted' }, ` (uploaded: ${uploadedName}, not stored)`) : null),
      h(
        'div',
        { class: 'toolbar' },
        h('a', { href: '/dashboards' }, '← All dashboards'),
        h('span', { class: 'spacer' }),
        quick,
        h('label', null, 'From ', fromIn),
        h('label', null, 'To ', toIn),
        h('button', { class: 'primary apply-time', onclick: apply }, 'Apply'),
        h('label', null, 'Refresh ', refreshSel),
        h('button', { class: 'refresh-now', onclick: () => panels() }, '⟳'),
        err
      )
    );
  };

  const schedule = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    const ms = st.refresh ? parseIntervalMs(st.refresh) : null;
    // Grafana's minimum refresh interval; faster would only load the server.
    if (ms && ms >= 5000) timer = window.setInterval(() => (document.body.contains(grid) ? panels() : clearInterval(timer)), ms);
  };

  if (!resolve()) {
    st.from = 'now-6h';
    st.to = 'now';
    resolve();
  }
  renderHeader();
  schedule();
  lintSection(lint, dash);
  void loadVars(0).then(() => {
    writeUrl();
    panels();
  });
}
