// /tsdb-status: head statistics and the cardinality top lists of
// /api/v1/status/tsdb.
import { apiGet } from '../api';
import { h, clear } from '../dom';
import { formatTime } from '../format';
import { failure, kvTable, loading, title } from '../page';

interface Stat {
  name: string;
  value: number;
}
interface TsdbStatus {
  headStats?: Record<string, number>;
  seriesCountByMetricName?: Stat[];
  labelValueCountByLabelName?: Stat[];
  memoryInBytesByLabelName?: Stat[];
  seriesCountByLabelValuePair?: Stat[];
}

function top(name: string, what: string, stats: Stat[] | undefined): HTMLElement {
  return h(
    'section',
    { class: 'top-list' },
    h('h2', null, name),
    h('table', { class: 'list' }, h('thead', null, h('tr', null, h('th', null, 'Name'), h('th', null, what))), h('tbody', null, ...(stats ?? []).map((s) => h('tr', null, h('td', null, s.name), h('td', null, String(s.value))))))
  );
}

export async function tsdbStatusPage(root: HTMLElement): Promise<void> {
  clear(root, title('TSDB status'), loading());
  const r = await apiGet<TsdbStatus>('status/tsdb');
  if (!r.ok) return clear(root, title('TSDB status'), failure('Cannot load the TSDB status', r));
  const d = r.data!;
  const hs = d.headStats ?? {};
  const time = (ms: number | undefined) => (ms === undefined || Math.abs(ms) > 8.64e15 ? '—' : formatTime(ms));
  clear(
    root,
    title('TSDB status'),
    h('h2', null, 'Head'),
    kvTable([
      ['Number of series', hs.numSeries],
      ['Number of chunks', hs.chunkCount],
      ['Number of label pairs', hs.numLabelPairs],
      ['Current min time', time(hs.minTime)],
      ['Current max time', time(hs.maxTime)],
    ]),
    top('Top series count by metric name', 'Count', d.seriesCountByMetricName),
    top('Top label names with value count', 'Count', d.labelValueCountByLabelName),
    top('Top label names with memory usage', 'Bytes', d.memoryInBytesByLabelName),
    top('Top series count by label value pairs', 'Count', d.seriesCountByLabelValuePair)
  );
}
