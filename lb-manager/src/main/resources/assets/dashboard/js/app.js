// Entry point: tabs, the token, the poll loop and the problems banner.
import {renderAudit, setupAudit} from './audit.js';
import {formatTime, h, replaceChildren} from './dom.js';
import {renderGroups} from './groups.js';
import {renderHistory, setupHistory} from './history.js';
import {renderServices, setupServices} from './services.js';
import {session, setupSession} from './session.js';
import {poll, store, subscribe} from './store.js';
import {renderUsage, setupUsage} from './usage.js';

const VIEWS = ['groups', 'services', 'history', 'audit', 'usage'];
const SERVICE_PAGE = /^service\/(.+)$/;

/** The view a hash names; #service/ID is the Services view with that service's page open. */
function viewOf(hash) {
  const page = SERVICE_PAGE.exec(hash);
  if (page) {
    let id = page[1];
    try { id = decodeURIComponent(id); } catch { /* shown as typed */ }
    if (store.selected !== id) {
      store.selected = id;
      store.selectedRouting = null;
      store.selectedError = null;
      if (store.lastPollMillis) poll();
    }
    return 'services';
  }
  store.selected = null;
  return VIEWS.includes(hash) ? hash : null;
}
let current = viewOf(location.hash.slice(1)) || 'groups';

function show(view) {
  current = view;
  for (const name of VIEWS) {
    const tab = document.getElementById(`tab-${name}`);
    tab.setAttribute('aria-selected', String(name === view));
    tab.tabIndex = name === view ? 0 : -1;
    document.getElementById(`view-${name}`).hidden = name !== view;
  }
  if (location.hash.slice(1) !== view && !(view === 'services' && store.selected)) history.replaceState(null, '', `#${view}`);
  redraw();
}

// How long the slowest redraw kept the page busy (read by the tests; harmless to anyone else).
const stats = window.lbmStats = {slowestRedrawMillis: 0};
let scheduled = false;
function redraw() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const start = performance.now();
    drawStatusLine();
    if (current === 'groups') renderGroups(store, document.getElementById('group-cards'));
    if (current === 'services') renderServices(store);
    if (current === 'history') renderHistory(store);
    if (current === 'audit') renderAudit();
    if (current === 'usage') renderUsage();
    stats.slowestRedrawMillis = Math.max(stats.slowestRedrawMillis, performance.now() - start);
  });
}

function drawStatusLine() {
  const live = document.getElementById('live');
  live.textContent = store.lastPollMillis ? `Updated ${formatTime(store.lastPollMillis)}`
    : session.waiting ? 'Waiting for an API token' : 'Loading…';
  live.className = store.errors.length ? 'stale' : '';
  const banner = document.getElementById('problems');
  const text = store.errors.join('\n');
  if (banner.dataset.text === text) return;
  banner.dataset.text = text;
  banner.hidden = !store.errors.length;
  replaceChildren(banner, h('h2', {}, 'The manager did not answer everything'), h('ul', {}, store.errors.map((e) => h('li', {}, e))));
}

function setupTabs() {
  for (const name of VIEWS) {
    document.getElementById(`tab-${name}`).addEventListener('click', () => {
      store.selected = null;
      show(name);
    });
  }
  document.querySelector('[role=tablist]').addEventListener('keydown', (e) => {
    const step = {ArrowRight: 1, ArrowLeft: -1}[e.key];
    if (!step) return;
    const next = VIEWS[(VIEWS.indexOf(current) + step + VIEWS.length) % VIEWS.length];
    show(next);
    document.getElementById(`tab-${next}`).focus();
  });
}

setupTabs();
window.addEventListener('hashchange', () => {
  const view = viewOf(location.hash.slice(1));
  if (view) show(view);
});
setupServices(store, redraw);
setupHistory(store, redraw);
setupAudit(redraw);
setupUsage(redraw);
subscribe(redraw);
show(current);
setupSession(poll);
