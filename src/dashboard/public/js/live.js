// Live job updates: the SSE progress stream GET /v1/jobs/:id/events, with polling of GET /v1/jobs/:id as the
// fallback (stream unavailable, failed, or too many open: browsers allow only ~6 HTTP/1.1 connections per host).
import { api } from './api.js';

const MAX_STREAMS = 3;
let openStreams = 0;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
export const isTerminal = (state) => TERMINAL.has(state);

function parse(data) {
  try { return JSON.parse(data); } catch { return data; }
}

/**
 * Calls onUpdate(job) whenever the job changes, until it reaches a terminal state or stop() is called.
 * `job` is merged from the last GET and the stream's events. Returns stop().
 */
export function watchJob(initial, onUpdate, { pollMs = 2000, onMode = () => {} } = {}) {
  let job = { ...initial };
  let stopped = false;
  let source;
  let timer;
  const emit = () => { if (!stopped) onUpdate(job); };
  const refresh = async () => {
    try {
      job = await api.getJob(job.id);
      emit();
    } catch { /* transient; next tick retries */ }
    if (isTerminal(job.state)) stop();
  };
  const poll = () => {
    if (stopped || timer) return;
    onMode('polling');
    const tick = async () => {
      await refresh();
      if (!stopped) timer = setTimeout(tick, pollMs);
    };
    timer = setTimeout(tick, 0);
  };
  const closeStream = () => {
    if (source) { source.close(); source = undefined; openStreams--; }
  };
  const stop = () => {
    stopped = true;
    closeStream();
    clearTimeout(timer);
  };
  if (isTerminal(job.state)) return stop;
  if (typeof EventSource === 'undefined' || openStreams >= MAX_STREAMS) {
    poll();
    return stop;
  }
  openStreams++;
  source = new EventSource(api.eventsUrl(job.id));
  source.addEventListener('open', () => onMode('stream'));
  source.addEventListener('progress', (e) => {
    const p = parse(e.data);
    if (p && typeof p === 'object') {
      job = { ...job, progress: p.progress ?? p, state: p.state ?? (job.state === 'waiting' ? 'active' : job.state) };
      emit();
    }
  });
  source.addEventListener('state', (e) => {
    const s = parse(e.data);
    const state = typeof s === 'string' ? s : s?.state;
    if (state) { job = { ...job, state }; emit(); }
    refresh();
  });
  source.addEventListener('done', () => {
    closeStream();
    refresh();
  });
  source.onerror = () => {
    // EventSource would reconnect on its own, but a stream that errors may mean no SSE support behind a proxy:
    // switch to polling, which also picks up the final state.
    closeStream();
    if (!stopped) poll();
  };
  return stop;
}
