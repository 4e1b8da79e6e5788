// Calls to Strata's Prometheus HTTP API, in its envelope: {status, data,
// warnings, infos, errorType, error}. A 404 that is not the API's JSON means
// this server has no such endpoint: pages then say the backend is missing.
export interface ApiResult<T> {
  ok: boolean;
  data?: T;
  error?: string;
  errorType?: string;
  warnings: string[];
  infos: string[];
  missing: boolean;
  httpStatus: number;
}

export async function apiGet<T>(
  path: string,
  params?: Record<string, string | string[]>,
  signal?: AbortSignal
): Promise<ApiResult<T>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  }
  const url = '/api/v1/' + path + (q.toString() ? '?' + q.toString() : '');
  let resp: Response | null = null;
  // One retry: a GET is safe to repeat, and a dropped connection (a
  // network change, a server restart) should not leave a panel empty.
  for (let attempt = 0; !resp; attempt++) {
    try {
      resp = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      if (attempt > 0) return { ok: false, error: 'cannot reach the server: ' + String(e), warnings: [], infos: [], missing: false, httpStatus: 0 };
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  let body: Record<string, unknown> | null = null;
  try {
    body = await resp.json();
  } catch {
    body = null;
  }
  if (!body || typeof body !== 'object') {
    return {
      ok: false,
      error: `HTTP ${resp.status} from ${url}`,
      warnings: [],
      infos: [],
      missing: resp.status === 404,
      httpStatus: resp.status,
    };
  }
  return {
    ok: body.status === 'success',
    data: body.data as T,
    error: body.error as string | undefined,
    errorType: body.errorType as string | undefined,
    warnings: (body.warnings as string[]) ?? [],
    infos: (body.infos as string[]) ?? [],
    missing: false,
    httpStatus: resp.status,
  };
}
