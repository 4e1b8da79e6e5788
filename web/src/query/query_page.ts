// /query: one or more panels (g0, g1, ... in the URL), each with its own
// expression, tab and time controls. The URL is rewritten on every change so
// the address bar is always a shareable link.
import { h, clear } from '../dom';
import { Panel } from './panel';
import { defaultPanel, parsePanels, serializePanels } from './url_state';

export function queryPage(root: HTMLElement): void {
  const panels: Panel[] = [];
  const list = h('div', { class: 'panels' });
  const sync = () => {
    history.replaceState(null, '', '/query?' + serializePanels(panels.map((p) => p.state)));
  };
  const add = (state = defaultPanel()) => {
    const p: Panel = new Panel(state, sync, () => {
      p.destroy();
      panels.splice(panels.indexOf(p), 1);
      p.el.remove();
      if (panels.length === 0) add();
      sync();
    });
    panels.push(p);
    list.appendChild(p.el);
    return p;
  };
  clear(root, list, h('button', { class: 'add-panel', onclick: () => add().focus() }, 'Add panel'));
  const initial = parsePanels(location.search);
  if (initial.length === 0) add().focus();
  for (const s of initial) {
    const p = add(s);
    if (s.expr.trim()) void p.run();
  }
}
