// /rules: every rule group of /api/v1/rules with its file, interval and last
// evaluation, and each rule's query, health, last error, labels and annotations.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { ago, formatDuration, Metric } from '../format';
import { failure, healthBadge, labelBadges, loading, title } from '../page';

export interface Rule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  labels?: Metric;
  annotations?: Metric;
  duration?: number;
  keepFiringFor?: number;
  state?: string;
  alerts?: Alert[];
  evaluationTime?: number;
  lastEvaluation?: string;
}
export interface Alert {
  labels: Metric;
  annotations: Metric;
  state: string;
  activeAt?: string;
  value: string;
}
export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: Rule[];
  evaluationTime?: number;
  lastEvaluation?: string;
}

export async function rulesPage(root: HTMLElement): Promise<void> {
  clear(root, title('Rules'), loading());
  const r = await apiGet<{ groups: RuleGroup[] }>('rules');
  if (!r.ok) return clear(root, title('Rules'), failure('Cannot load rules', r));
  const groups = r.data!.groups ?? [];
  clear(
    root,
    title('Rules'),
    groups.length === 0 ? h('div', { class: 'empty' }, 'No rule groups configured.') : null,
    ...groups.map((g) =>
      h(
        'details',
        { class: 'group', open: true, 'data-group': g.name },
        h(
          'summary',
          null,
          h('b', null, g.name),
          h('span', { class: 'muted' }, ` ${g.file} · every ${formatDuration(g.interval)} · last evaluation ${ago(g.lastEvaluation)}` + (g.evaluationTime !== undefined ? ` (${formatDuration(g.evaluationTime)})` : ''))
        ),
        h(
          'table',
          { class: 'list rules' },
          h('thead', null, h('tr', null, ...['Rule', 'Health', 'Last evaluation', 'Error'].map((c) => h('th', null, c)))),
          h(
            'tbody',
            null,
            ...g.rules.map((rule) =>
              h(
                'tr',
                { class: 'rule' },
                h(
                  'td',
                  null,
                  h('div', null, h('b', { class: 'rule-name' }, (rule.type === 'alerting' ? 'alert: ' : 'record: ') + rule.name)),
                  h('pre', { class: 'expr' }, h('a', { href: '/query?' + new URLSearchParams({ 'g0.expr': rule.query, 'g0.tab': 'table' }).toString() }, rule.query)),
                  rule.duration ? h('div', null, `for: ${formatDuration(rule.duration)}`) : null,
                  rule.keepFiringFor ? h('div', null, `keep_firing_for: ${formatDuration(rule.keepFiringFor)}`) : null,
                  Object.keys(rule.labels ?? {}).length ? h('div', null, 'labels: ', labelBadges(rule.labels)) : null,
                  Object.keys(rule.annotations ?? {}).length ? h('div', null, 'annotations: ', labelBadges(rule.annotations)) : null
                ),
                h('td', null, healthBadge(rule.health)),
                h('td', null, ago(rule.lastEvaluation)),
                h('td', { class: 'error-text' }, rule.lastError ?? '')
              )
            )
          )
        )
      )
    )
  );
}
