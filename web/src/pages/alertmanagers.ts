// /alertmanager-discovery: the Alertmanagers in use and those relabelling dropped.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { failure, loading, title } from '../page';

interface Ams {
  activeAlertmanagers: { url: string }[];
  droppedAlertmanagers: { url: string }[];
}

export async function alertmanagersPage(root: HTMLElement): Promise<void> {
  clear(root, title('Alertmanagers'), loading());
  const r = await apiGet<Ams>('alertmanagers');
  if (!r.ok) return clear(root, title('Alertmanagers'), failure('Cannot load Alertmanagers', r));
  const list = (name: string, xs: { url: string }[]) =>
    h('section', null, h('h2', null, `${name} (${xs.length})`), xs.length ? h('ul', null, ...xs.map((x) => h('li', null, x.url))) : h('div', { class: 'empty' }, 'None.'));
  clear(root, title('Alertmanagers'), list('Active Alertmanagers', r.data!.activeAlertmanagers ?? []), list('Dropped Alertmanagers', r.data!.droppedAlertmanagers ?? []));
}
