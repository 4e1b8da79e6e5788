// A dashboard's panels as Grafana lays them out: `panels` with gridPos in 24
// columns (rows are panels of type "row"; a collapsed row holds its panels
// inside), or legacy `rows[].panels` with `span` in 12 columns and a row
// height. The result is a list of sections, each a row header (or none)
// and the panels under it, with positions relative to the section.
type Json = Record<string, unknown>;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Section {
  row: Json | null;
  collapsed: boolean;
  panels: Json[];
}

export function gridPos(p: Json): GridPos {
  const g = (p.gridPos ?? {}) as Json;
  const n = (v: unknown, d: number) => (typeof v === 'number' && isFinite(v) ? v : d);
  const w = Math.max(1, Math.min(24, n(g.w, 12)));
  return { x: Math.max(0, Math.min(24 - w, n(g.x, 0))), y: Math.max(0, n(g.y, 0)), w, h: Math.max(1, Math.min(100, n(g.h, 8))) };
}

function legacyRows(rows: Json[]): Section[] {
  let id = 1000;
  return rows.map((r) => {
    const height = parseInt(String(r.height ?? '250'), 10) || 250;
    const hh = Math.max(3, Math.round(height / 30));
    let x = 0;
    let y = 0;
    const panels = (Array.isArray(r.panels) ? (r.panels as Json[]) : []).map((p) => {
      const w = Math.max(1, Math.min(24, Math.round(Number(p.span ?? 12) * 2)));
      if (x + w > 24) {
        x = 0;
        y += hh;
      }
      const q = { ...p, id: p.id ?? id++, gridPos: { x, y, w, h: hh } };
      x += w;
      return q;
    });
    const titled = r.showTitle !== false && typeof r.title === 'string' && r.title !== '';
    return { row: titled ? ({ type: 'row', title: r.title } as Json) : null, collapsed: Boolean(r.collapse), panels };
  });
}

export function sections(dash: Json): Section[] {
  if (!Array.isArray(dash.panels) && Array.isArray(dash.rows)) return legacyRows(dash.rows as Json[]);
  const all = (Array.isArray(dash.panels) ? (dash.panels as Json[]) : []).filter((p) => p && typeof p === 'object');
  const sorted = [...all].sort((a, b) => gridPos(a).y - gridPos(b).y || gridPos(a).x - gridPos(b).x);
  const out: Section[] = [{ row: null, collapsed: false, panels: [] }];
  for (const p of sorted) {
    if (p.type === 'row') {
      const nested = Array.isArray(p.panels) ? (p.panels as Json[]) : [];
      out.push({ row: p, collapsed: Boolean(p.collapsed), panels: nested.slice() });
    } else {
      out[out.length - 1].panels.push(p);
    }
  }
  if (out[0].panels.length === 0) out.shift();
  return out;
}

// Positions made relative to the section's first row of cells.
export function relative(panels: Json[]): { panel: Json; pos: GridPos }[] {
  const pos = panels.map(gridPos);
  const top = Math.min(...pos.map((p) => p.y));
  return panels.map((panel, i) => ({ panel, pos: { ...pos[i], y: pos[i].y - (isFinite(top) ? top : 0) } }));
}
