// The query page's state in the URL, with Prometheus' parameters so that links
// written for Prometheus 2 or 3 open the same view here:
//   g<N>.expr, g<N>.tab (graph|table, or Prometheus 2's 0|1),
//   g<N>.range_input (e.g. 1h), g<N>.end_input and g<N>.moment_input
//   ("2024-01-02 15:04:05", UTC), g<N>.step_input (seconds),
//   g<N>.stacked (0|1, Prometheus 2) or g<N>.display_mode (lines|stacked, 3).
import { formatDuration, formatTimeInput, parseDuration, parseTimeInput } from '../format';

export interface PanelState {
  expr: string;
  tab: 'graph' | 'table';
  rangeS: number;
  endMs: number | null; // null: now
  momentMs: number | null; // null: now
  stepS: number | null; // null: automatic
  stacked: boolean;
}

export function defaultPanel(): PanelState {
  return { expr: '', tab: 'table', rangeS: 3600, endMs: null, momentMs: null, stepS: null, stacked: false };
}

export function parsePanels(search: string): PanelState[] {
  const q = new URLSearchParams(search);
  const ids = new Set<number>();
  for (const k of q.keys()) {
    const m = /^g(\d+)\./.exec(k);
    if (m) ids.add(parseInt(m[1], 10));
  }
  const out: PanelState[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const get = (name: string) => q.get(`g${id}.${name}`);
    const p = defaultPanel();
    p.expr = get('expr') ?? '';
    const tab = get('tab');
    p.tab = tab === 'graph' || tab === '0' ? 'graph' : 'table';
    p.rangeS = parseDuration(get('range_input') ?? '') ?? p.rangeS;
    p.endMs = parseTimeInput(get('end_input') ?? '');
    p.momentMs = parseTimeInput(get('moment_input') ?? '');
    p.stepS = parseDuration(get('step_input') ?? '');
    p.stacked = get('stacked') === '1' || get('display_mode') === 'stacked';
    out.push(p);
  }
  return out;
}

export function serializePanels(panels: PanelState[]): string {
  const q = new URLSearchParams();
  panels.forEach((p, i) => {
    const set = (k: string, v: string) => q.set(`g${i}.${k}`, v);
    set('expr', p.expr);
    set('tab', p.tab);
    set('display_mode', p.stacked ? 'stacked' : 'lines');
    set('stacked', p.stacked ? '1' : '0');
    set('range_input', formatDuration(p.rangeS));
    if (p.endMs !== null) set('end_input', formatTimeInput(p.endMs));
    if (p.momentMs !== null) set('moment_input', formatTimeInput(p.momentMs));
    if (p.stepS !== null) set('step_input', String(p.stepS));
  });
  return q.toString();
}
