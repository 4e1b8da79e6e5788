// The text panel's markdown, as DOM nodes (never innerHTML): headings,
// paragraphs, lists, code blocks, inline code, bold, italic and http(s)
// links. Raw HTML in the text shows as text, so a dashboard cannot inject
// markup or scripts.
import { h } from '../dom';

function inline(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*]+)\*|_([^_]+)_|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(h('code', null, m[1]));
    else if (m[2] !== undefined || m[3] !== undefined) out.push(h('strong', null, ...inline(m[2] ?? m[3])));
    else if (m[4] !== undefined || m[5] !== undefined) out.push(h('em', null, ...inline(m[4] ?? m[5])));
    else {
      const href = m[7];
      const safe = /^(https?:\/\/|\/|#)/i.test(href);
      out.push(safe ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, ...inline(m[6])) : m[6]);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function renderMarkdown(src: string): HTMLElement {
  const root = h('div', { class: 'markdown' });
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: HTMLElement | null = null;
  const flush = () => {
    if (para.length) root.appendChild(h('p', null, ...inline(para.join(' '))));
    para = [];
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim().startsWith('```')) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith('```'); i++) code.push(lines[i]);
      root.appendChild(h('pre', null, h('code', null, code.join('\n'))));
      continue;
    }
    const hm = /^(#{1,6})\s+(.*)$/.exec(line);
    if (hm) {
      flush();
      const tag = ('h' + Math.min(6, hm[1].length + 2)) as 'h3';
      root.appendChild(h(tag, null, ...inline(hm[2])));
      continue;
    }
    const lm = /^\s*([-*+]|\d+\.)\s+(.*)$/.exec(line);
    if (lm) {
      if (para.length) flush();
      if (!list) {
        list = h(/\d/.test(lm[1]) ? 'ol' : 'ul', null);
        root.appendChild(list);
      }
      list.appendChild(h('li', null, ...inline(lm[2])));
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    list = null;
    para.push(line.trim());
  }
  flush();
  return root;
}

// HTML-mode text panels: shown as their text content only (tags dropped).
export function htmlAsText(src: string): HTMLElement {
  const doc = new DOMParser().parseFromString(src, 'text/html');
  return h('div', { class: 'markdown' }, doc.body.textContent ?? '');
}
