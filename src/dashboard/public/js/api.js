// REST client for the service's /v1 API (README.md, "API in brief"; OpenAPI at /docs).
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function request(path, init = {}) {
  const res = await fetch(path, { headers: { accept: 'application/json', ...(init.headers ?? {}) }, ...init });
  const text = await res.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = { message: text }; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

const enc = encodeURIComponent;

export const api = {
  listJobs: (params = {}) => request(`/v1/jobs?${new URLSearchParams({ limit: '50', ...params })}`),
  getJob: (id) => request(`/v1/jobs/${enc(id)}`),
  // mode=cancel: a job that finished just before the click is kept (a plain DELETE removes finished jobs)
  cancelJob: (id) => request(`/v1/jobs/${enc(id)}?mode=cancel`, { method: 'DELETE' }),
  createJob: (body) => request('/v1/jobs', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  }),
  getReport: (id) => request(`/v1/jobs/${enc(id)}/report`),
  listArtifacts: (id) => request(`/v1/jobs/${enc(id)}/artifacts`),
  // Names may sit under logs/ or inputs/: keep the slash, encode each segment.
  artifactUrl: (id, name) => `/v1/jobs/${enc(id)}/artifacts/${String(name).split('/').map(enc).join('/')}`,
  eventsUrl: (id) => `/v1/jobs/${enc(id)}/events`,
  listSequences: () => request('/v1/sequences'),
  listEncoders: () => request('/v1/encoders'),
  listChallenges: () => request('/v1/challenges'),
  getChallenge: (id) => request(`/v1/challenges/${enc(id)}`),
  getSequence: (id) => request(`/v1/sequences/${enc(id)}`),
  deleteSequence: (id) => request(`/v1/sequences/${enc(id)}`, { method: 'DELETE' }),
  /** Streams the File itself as the raw request body (no multipart, no copy in JS memory). */
  uploadSequence: (file, meta) => request(`/v1/sequences?${new URLSearchParams(meta)}`, {
    method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file,
  }),
};

/**
 * Fetches a byte range of a URL. Uses an HTTP Range request; if the server ignores it (200), slices the full body.
 * `start` may be negative for "the last -start bytes".
 */
// One whole file kept when a server ignores Range, so stepping through frames does not download it again.
let fullCache = { url: '', buf: undefined };

export async function fetchRange(url, start, length, { cacheFull = false } = {}) {
  if (cacheFull && fullCache.url === url && fullCache.buf) return sliceRange(fullCache.buf, start, length);
  const range = start < 0 ? `bytes=${start}` : `bytes=${start}-${start + length - 1}`;
  const res = await fetch(url, { headers: { range } });
  if (res.status === 416) throw new ApiError(416, { message: 'requested range is beyond the end of the file' });
  if (!res.ok) {
    let body;
    try { body = await res.json(); } catch { body = undefined; }
    throw new ApiError(res.status, body);
  }
  const buf = await res.arrayBuffer();
  if (res.status === 206) return buf;
  if (cacheFull) fullCache = { url, buf };
  return sliceRange(buf, start, length);
}

function sliceRange(buf, start, length) {
  if (start < 0) return buf.slice(Math.max(0, buf.byteLength + start));
  if (start + length > buf.byteLength) throw new ApiError(416, { message: `file has ${buf.byteLength} bytes; need ${start + length}` });
  return buf.slice(start, start + length);
}
