// One query panel: editor, Table/Graph tabs, the time controls of each tab,
// the answer's errors, warnings and infos, and the result. The panel owns its
// PanelState and reports changes so the page can rewrite the URL.
import { EditorView } from '@codemirror/view';
import { apiGet, ApiResult } from '../api';
import { h, clear } from '../dom';
import { formatDuration, formatTimeInput, parseDuration, parseTimeInput } from '../format';
import { messages } from '../page';
import { createEditor } from './editor';
import { renderGraph } from './graph';
import { evalTimeNote, QueryData, renderTable } from './table';
import { PanelState } from './url_state';

// Range steps from the range: about 250 points per graph, as Prometheus' UI.
const kPointsPerGraph = 250;
const kRangeSteps = [60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400, 172800, 604800, 1209600, 2419200, 7862400, 31536000];

export class Panel {
  readonly el: HTMLElement;
  private editor: EditorView;
  private result: HTMLElement;
  private notes: HTMLElement;
  private controls: HTMLElement;
  private abort: AbortController | null = null;
  private destroyGraph: () => void = () => {};

  constructor(
    public state: PanelState,
    private onChange: () => void,
    private onRemove: () => void
  ) {
    const editorHost = h('div', { class: 'editor' });
    this.result = h('div', { class: 'result' });
    this.notes = h('div', { class: 'notes' });
    this.controls = h('div', { class: 'controls' });
    const tab = (name: 'table' | 'graph', label: string) =>
      h('button', { class: 'tab' + (this.state.tab === name ? ' active' : ''), 'data-tab': name, onclick: () => this.setTab(name) }, label);
    this.el = h(
      'section',
      { class: 'panel' },
      h('div', { class: 'editor-row' }, editorHost, h('button', { class: 'run primary', onclick: () => this.run() }, 'Execute')),
      h(
        'div',
        { class: 'tabs' },
        tab('table', 'Table'),
        tab('graph', 'Graph'),
        h('span', { class: 'spacer' }),
        h('button', { class: 'remove', title: 'Remove panel', onclick: () => this.onRemove() }, 'Remove panel')
      ),
      this.controls,
      this.notes,
      this.result
    );
    this.editor = createEditor(editorHost, state.expr, () => this.run(), (expr) => {
      this.state.expr = expr;
    });
    this.renderControls();
  }

  focus(): void {
    this.editor.focus();
  }

  destroy(): void {
    this.abort?.abort();
    this.destroyGraph();
    this.editor.destroy();
  }

  private setTab(tab: 'table' | 'graph'): void {
    this.state.tab = tab;
    this.el.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', (b as HTMLElement).dataset.tab === tab));
    this.renderControls();
    this.onChange();
    if (this.state.expr.trim()) void this.run();
  }

  private changed(rerun = true): void {
    this.renderControls();
    this.onChange();
    if (rerun && this.state.expr.trim()) void this.run();
  }

  private renderControls(): void {
    const s = this.state;
    if (s.tab === 'table') {
      const at = h('input', {
        class: 'time',
        placeholder: 'Evaluation time (now)',
        value: s.momentMs === null ? '' : formatTimeInput(s.momentMs),
        onchange: (e: Event) => {
          s.momentMs = parseTimeInput((e.target as HTMLInputElement).value);
          this.changed();
        },
      });
      clear(this.controls, h('label', null, 'Evaluation time (UTC) ', at), h('button', { onclick: () => ((s.momentMs = null), this.changed()) }, 'Now'));
      return;
    }
    const rangeIn = h('input', {
      class: 'range',
      value: formatDuration(s.rangeS),
      onchange: (e: Event) => {
        const d = parseDuration((e.target as HTMLInputElement).value);
        if (d) s.rangeS = d;
        this.changed();
      },
    });
    const stepRange = (dir: number) => {
      const i = kRangeSteps.findIndex((r) => r >= s.rangeS);
      const cur = i < 0 ? kRangeSteps.length - 1 : i;
      const next = dir < 0 ? (kRangeSteps[cur] === s.rangeS ? cur - 1 : cur - 1 < 0 ? 0 : cur - 1) : kRangeSteps[cur] === s.rangeS ? cur + 1 : cur;
      s.rangeS = kRangeSteps[Math.max(0, Math.min(kRangeSteps.length - 1, next))];
      this.changed();
    };
    const endIn = h('input', {
      class: 'time',
      placeholder: 'End time (now)',
      value: s.endMs === null ? '' : formatTimeInput(s.endMs),
      onchange: (e: Event) => {
        s.endMs = parseTimeInput((e.target as HTMLInputElement).value);
        this.changed();
      },
    });
    const stepIn = h('input', {
      class: 'step',
      placeholder: `Res. (${formatDuration(this.autoStep())})`,
      value: s.stepS === null ? '' : String(s.stepS),
      onchange: (e: Event) => {
        s.stepS = parseDuration((e.target as HTMLInputElement).value);
        this.changed();
      },
    });
    const stacked = h('input', {
      type: 'checkbox',
      class: 'stacked',
      checked: s.stacked,
      onchange: (e: Event) => {
        s.stacked = (e.target as HTMLInputElement).checked;
        this.changed();
      },
    });
    clear(
      this.controls,
      h('button', { title: 'Shorter range', onclick: () => stepRange(-1) }, '−'),
      rangeIn,
      h('button', { title: 'Longer range', onclick: () => stepRange(1) }, '+'),
      h('label', null, ' End (UTC) ', endIn),
      h('button', { onclick: () => ((s.endMs = null), this.changed()) }, 'Now'),
      h('label', null, ' Step ', stepIn),
      h('label', null, stacked, ' Stacked')
    );
  }

  private autoStep(): number {
    return Math.max(1, Math.round(this.state.rangeS / kPointsPerGraph));
  }

  async run(): Promise<void> {
    const s = this.state;
    this.onChange();
    this.abort?.abort();
    this.destroyGraph();
    this.destroyGraph = () => {};
    clear(this.notes);
    if (!s.expr.trim()) {
      clear(this.result);
      return;
    }
    const abort = new AbortController();
    this.abort = abort;
    clear(this.result, h('div', { class: 'loading' }, 'Loading…'));
    const started = performance.now();
    let r: ApiResult<QueryData>;
    let range = { startS: 0, endS: 0, stepS: 0 };
    try {
      if (s.tab === 'table') {
        const params: Record<string, string> = { query: s.expr };
        if (s.momentMs !== null) params.time = String(s.momentMs / 1000);
        r = await apiGet<QueryData>('query', params, abort.signal);
      } else {
        const endS = Math.floor((s.endMs ?? Date.now()) / 1000);
        const stepS = s.stepS ?? this.autoStep();
        range = { startS: endS - s.rangeS, endS, stepS };
        r = await apiGet<QueryData>('query_range', { query: s.expr, start: String(range.startS), end: String(endS), step: String(stepS) }, abort.signal);
      }
    } catch {
      return; // Aborted by a newer run.
    }
    if (abort !== this.abort) return;
    const ms = Math.round(performance.now() - started);
    clear(this.notes, ...messages(r));
    if (!r.ok) {
      clear(this.result, h('div', { class: 'notice error query-error' }, `Error executing query: ${r.error ?? 'HTTP ' + r.httpStatus}`));
      return;
    }
    const data = r.data!;
    const n = Array.isArray(data.result) && (data.resultType === 'vector' || data.resultType === 'matrix') ? (data.result as unknown[]).length : 1;
    const stats = h('div', { class: 'stats' }, `Load time: ${ms} ms · Result series: ${n}`);
    if (s.tab === 'table') {
      clear(this.result, stats, h('div', { class: 'eval-time' }, evalTimeNote(s.momentMs)), renderTable(data));
    } else if (data.resultType !== 'matrix') {
      clear(this.result, h('div', { class: 'notice error' }, `Cannot graph a ${data.resultType} result.`));
    } else {
      const g = renderGraph(data.result as [], range, s.stacked);
      this.destroyGraph = g.destroy;
      clear(this.result, stats, g.el);
    }
  }
}
