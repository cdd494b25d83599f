// Audit view: every write with who, what, outcome, and a service's definition before and after.
import {ApiError, enc, request} from './api.js';
import {formatTime, h, replaceChildren} from './dom.js';

let loadedKey = '';
let loadedAt = 0;

export function setupAudit(redraw) {
  const form = document.getElementById('audit-filters');
  form.addEventListener('submit', (e) => { e.preventDefault(); loadedKey = ''; redraw(); });
  form.addEventListener('change', () => { loadedKey = ''; redraw(); });
}

export async function renderAudit() {
  const form = document.getElementById('audit-filters');
  const query = ['limit=100'];
  for (const name of ['team', 'service', 'outcome']) {
    const value = form.elements[name].value.trim();
    if (value) query.push(`${name}=${enc(value)}`);
  }
  const key = query.join('&');
  if (key === loadedKey && Date.now() - loadedAt < 5000) return;
  loadedKey = key;
  loadedAt = Date.now();
  const holder = document.getElementById('audit-rows');
  let entries;
  try {
    entries = await request('GET', `/audit?${key}`);
  } catch (e) {
    replaceChildren(holder, h('tr', {}, h('td', {colspan: 6, class: 'error'}, e instanceof ApiError ? e.describe() : String(e))));
    return;
  }
  if (!entries.length) {
    replaceChildren(holder, h('tr', {}, h('td', {colspan: 6, class: 'muted'}, 'No audit entries match.')));
    return;
  }
  replaceChildren(holder, entries.map((e) => h('tr', {'data-outcome': e.outcome},
    h('td', {}, formatTime(e.atMillis)),
    h('td', {}, e.tokenId ? `${e.tokenId} (${e.team || '?'})` : 'no valid token'),
    h('td', {}, `${e.method} ${e.path}`),
    h('td', {}, h('span', {class: `badge ${e.outcome === 'ok' ? 'good' : 'bad'}`}, `${e.status} ${e.outcome}`), e.message ? ` ${e.message}` : ''),
    h('td', {}, change(e.before, e.after)),
    h('td', {}, (e.scopes || []).join(', ') || '-'))));
}

function change(before, after) {
  if (!before && !after) return '';
  const show = (d) => d ? `${d.basePath} on ${(d.groups || []).join(',')}, owners ${(d.owners || []).join(',')}` : 'none';
  return h('span', {class: 'muted'}, `${show(before)} → ${show(after)}`);
}
