// Dashboard entry: hash router (#/jobs, #/jobs/:id, #/new, #/upload, #/compare/:ids) and view lifecycle.
import { clear, h } from './dom.js';
import { renderJobs } from './views/jobs.js';
import { renderJob } from './views/job.js';
import { renderUpload } from './views/upload.js';
import { renderNewJob } from './views/newjob.js';
import { renderCompare } from './views/compare.js';
import { renderChallenges } from './views/challenges.js';

const routes = [
  [/^\/?$|^\/jobs\/?$/, 'jobs', () => renderJobs],
  [/^\/jobs\/([^/]+)$/, 'jobs', (m) => (el, q) => renderJob(el, decodeURIComponent(m[1]), q)],
  [/^\/new\/?$/, 'new', () => renderNewJob],
  [/^\/upload\/?$/, 'upload', () => renderUpload],
  [/^\/challenges(?:\/([^/]+))?$/, 'challenges', (m) => (el) => renderChallenges(el, m[1] && decodeURIComponent(m[1]))],
  [/^\/compare(?:\/([^/]*))?$/, 'compare', (m) => (el, q) => renderCompare(el, (m[1] ? decodeURIComponent(m[1]) : '').split(',').filter(Boolean), q)],
];

let cleanup;
let firstRoute = true;

async function route() {
  const raw = location.hash.replace(/^#/, '') || '/jobs';
  const [path, queryString] = raw.split('?', 2);
  const query = new URLSearchParams(queryString ?? '');
  const main = document.getElementById('main');
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  clear(main);
  const found = routes.map(([re, nav, make]) => [re.exec(path), nav, make]).find(([m]) => m);
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (found && a.dataset.nav === found[1]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!found) {
    main.append(h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, h('a', { href: '#/jobs' }, 'Back to jobs')));
    return;
  }
  try {
    cleanup = await found[2](found[0])(main, query);
  } catch (err) {
    main.append(h('p', { class: 'notice bad', role: 'alert' }, `Could not load this page: ${err.message}`));
  }
  // Move focus to the new page's heading so keyboard and screen-reader users land on the new content.
  // Not on the initial load, where the reader starts at the top of the page anyway.
  const heading = main.querySelector('h1');
  if (!firstRoute && heading && document.activeElement !== heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  firstRoute = false;
  document.title = `nnvvc — ${heading?.textContent ?? 'dashboard'}`;
}

window.addEventListener('hashchange', route);
route();
