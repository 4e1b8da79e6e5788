// /alerts: every alerting rule of /api/v1/rules?type=alert with its state
// (inactive, pending, firing) and, for each active alert, its labels,
// annotations, state, value and the time it became active. Checkboxes filter
// by state, as in Prometheus' UI.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { ago } from '../format';
import { failure, healthBadge, labelBadges, loading, title } from '../page';
import { RuleGroup } from './rules';

const kStates = ['inactive', 'pending', 'firing'];

export async function alertsPage(root: HTMLElement): Promise<void> {
  clear(root, title('Alerts'), loading());
  const r = await apiGet<{ groups: RuleGroup[] }>('rules', { type: 'alert' });
  if (!r.ok) return clear(root, title('Alerts'), failure('Cannot load alerting rules', r));
  const rules = (r.data!.groups ?? []).flatMap((g) => g.rules.filter((x) => x.type === 'alerting').map((x) => ({ group: g, rule: x })));
  const shown = new Set(kStates);
  const body = h('div', { class: 'alert-rules' });
  const count = (s: string) => rules.filter((x) => x.rule.state === s).length;
  const boxes = kStates.map((s) =>
    h(
      'label',
      { class: 'state-filter' },
      h('input', {
        type: 'checkbox',
        checked: true,
        'data-state': s,
        onchange: (e: Event) => {
          (e.target as HTMLInputElement).checked ? shown.add(s) : shown.delete(s);
          draw();
        },
      }),
      ` ${s[0].toUpperCase() + s.slice(1)} (${count(s)}) `
    )
  );
  const draw = () => {
    clear(body);
    const visible = rules.filter((x) => shown.has(x.rule.state ?? 'inactive'));
    if (visible.length === 0) body.appendChild(h('div', { class: 'empty' }, rules.length ? 'No alerting rules in the selected states.' : 'No alerting rules configured.'));
    for (const { group, rule } of visible) {
      const alerts = rule.alerts ?? [];
      body.appendChild(
        h(
          'details',
          { class: 'alert-rule state-' + rule.state, 'data-alert': rule.name, open: alerts.length > 0 },
          h('summary', null, healthBadge(rule.state ?? 'inactive'), ' ', h('b', null, rule.name), h('span', { class: 'muted' }, ` ${group.file} > ${group.name} · ${alerts.length} active`)),
          h('pre', { class: 'expr' }, rule.query),
          alerts.length
            ? h(
                'table',
                { class: 'list alerts' },
                h('thead', null, h('tr', null, ...['Labels', 'State', 'Active since', 'Value', 'Annotations'].map((c) => h('th', null, c)))),
                h(
                  'tbody',
                  null,
                  ...alerts.map((a) =>
                    h(
                      'tr',
                      { class: 'alert' },
                      h('td', null, labelBadges(a.labels)),
                      h('td', null, healthBadge(a.state)),
                      h('td', { title: a.activeAt ?? '' }, a.activeAt ? `${a.activeAt} (${ago(a.activeAt)})` : ''),
                      h('td', null, a.value),
                      h('td', null, ...Object.entries(a.annotations ?? {}).map(([k, v]) => h('div', null, h('b', null, k + ': '), v)))
                    )
                  )
                )
              )
            : null
        )
      );
    }
  };
  clear(root, title('Alerts'), h('div', { class: 'toolbar' }, ...boxes), body);
  draw();
}
