// The dashboard page's "Lint" section: the findings of Strata's dashboard
// linter (the checks of `stratatool lint dashboard`) for the shown
// dashboard, asked from POST /api/v1/strata/lint/dashboard.
import { h, clear } from '../dom';

type Json = Record<string, unknown>;
interface Finding {
  severity: string;
  check: string;
  place: string;
  panel?: { title: string; id?: number };
  refId?: string;
  name?: string;
  expr: string;
  expanded?: string;
  message: string;
}

function where(f: Finding): string {
  if (f.place === 'target') return `panel "${f.panel?.title ?? ''}"${f.panel?.id !== undefined ? ` (id ${f.panel.id})` : ''} target ${f.refId || '?'}`;
  if (f.place === 'panel') return `panel "${f.panel?.title ?? ''}"`;
  if (f.place === 'variable') return `variable ${f.name}`;
  if (f.place === 'annotation') return `annotation ${f.name}`;
  return 'dashboard';
}

export async function lintSection(el: HTMLElement, dash: Json): Promise<void> {
  clear(el, h('h2', null, 'Lint'), h('div', { class: 'loading' }, 'Linting…'));
  let body: Json | null = null;
  let error = '';
  try {
    const resp = await fetch('/api/v1/strata/lint/dashboard', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(dash) });
    body = (await resp.json()) as Json;
    if (body.status !== 'success') error = String(body.error ?? `HTTP ${resp.status}`);
  } catch (e) {
    error = String(e);
  }
  if (error || !body) {
    clear(el, h('h2', null, 'Lint'), h('div', { class: 'notice error lint-error' }, 'Linting failed: ' + error));
    return;
  }
  const data = body.data as { findings: Finding[]; errors: number; warnings: number };
  const findings = data.findings ?? [];
  clear(
    el,
    h('h2', null, 'Lint'),
    h(
      'div',
      { class: 'lint-summary', 'data-count': findings.length, 'data-errors': data.errors },
      findings.length === 0 ? 'No findings: every query parses and passes the checks.' : `${data.errors} error(s), ${data.warnings} warning(s)`
    ),
    findings.length
      ? h(
          'ul',
          { class: 'lint-findings' },
          ...findings.map((f) =>
            h(
              'li',
              { class: 'lint-finding ' + f.severity, 'data-check': f.check },
              h('span', { class: 'badge ' + (f.severity === 'error' ? 'bad' : 'meh') }, f.severity.toUpperCase()),
              ` ${where(f)}: ${f.message} `,
              h('span', { class: 'muted' }, `[${f.check}]`),
              f.expr ? h('pre', { class: 'expr' }, f.expr) : null
            )
          )
        )
      : null
  );
}
