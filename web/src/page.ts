// Shared page pieces: titles, error and missing-backend boxes, label badges.
import { ApiResult } from './api';
import { h } from './dom';
import { Metric } from './format';

export function title(text: string, ...extra: (Node | string)[]): HTMLElement {
  return h('h1', null, text, ...extra);
}

// The box a page shows instead of its content when its API call failed.
export function failure(what: string, r: ApiResult<unknown>): HTMLElement {
  if (r.missing) {
    return h('div', { class: 'notice missing' }, `${what}: this Strata does not serve this yet (the API endpoint answers 404).`);
  }
  return h('div', { class: 'notice error' }, `${what}: ${r.errorType ? r.errorType + ': ' : ''}${r.error ?? 'unknown error'}`);
}

export function messages(r: ApiResult<unknown>): HTMLElement[] {
  return [
    ...r.warnings.map((w) => h('div', { class: 'notice warning' }, 'Warning: ' + w)),
    ...r.infos.map((i) => h('div', { class: 'notice info' }, 'Info: ' + i)),
  ];
}

export function labelBadges(m: Metric | undefined): HTMLElement {
  const keys = Object.keys(m ?? {}).sort();
  return h('span', { class: 'labels' }, ...keys.map((k) => h('span', { class: 'label' }, `${k}="${m![k]}"`)));
}

export function healthBadge(health: string): HTMLElement {
  const cls = health === 'up' || health === 'ok' || health === 'inactive' ? 'good' : health === 'unknown' || health === 'pending' ? 'meh' : 'bad';
  return h('span', { class: 'badge ' + cls }, health.toUpperCase());
}

export function kvTable(rows: [string, unknown][]): HTMLTableElement {
  return h(
    'table',
    { class: 'kv' },
    h('tbody', null, ...rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v instanceof Node ? v : String(v ?? '')))))
  );
}

export function loading(): HTMLElement {
  return h('div', { class: 'loading' }, 'Loading…');
}
