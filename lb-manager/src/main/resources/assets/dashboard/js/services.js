// Services view: search and filter the whole catalog; render only one page of rows at a time.
import {badge, h, replaceChildren, when} from './dom.js';

const PAGE = 100;
let index = [];          // [{record, blob, quarantined: [[group, errors]], held: [[group, reason]], served: [[group, addrs]]}]
let indexedRevision = -1;
let limit = PAGE;
let drawn = '';

export function setupServices(store, redraw) {
  const form = document.getElementById('service-filters');
  const again = () => { limit = PAGE; redraw(); };
  form.addEventListener('input', again);
  form.addEventListener('submit', (e) => e.preventDefault());
  document.getElementById('more-services').addEventListener('click', () => { limit += PAGE; redraw(); });
}

function buildIndex(store) {
  index = store.services.map((record) => {
    const d = record.definition || {};
    const quarantined = [];
    const held = [];
    const served = [];
    for (const g of d.groups || []) {
      const entry = store.group.get(g);
      const render = entry && entry.status && entry.status.status;
      if (render && render.quarantined && render.quarantined[d.id]) quarantined.push([g, render.quarantined[d.id]]);
      if (render && render.held && render.held[d.id]) held.push([g, render.held[d.id]]);
      // null: the published config has no upstream file for it (quarantined, or not rendered yet)
      if (entry && entry.served) served.push([g, entry.served.has(d.id) ? entry.served.get(d.id) : null]);
    }
    const blob = [d.id, d.discoveryName, d.basePath, ...(d.owners || []), ...(d.groups || []), record.updatedBy,
      ...(record.staticUpstreams || []).map((u) => `${u.host}:${u.port}`),
      ...served.flatMap(([, a]) => a || [])].join(' ').toLowerCase();
    return {record, blob, quarantined, held, served};
  });
}

function matches(item, words, group, problem) {
  if (group && !(item.record.definition.groups || []).includes(group)) return false;
  if (problem === 'quarantined' && !item.quarantined.length) return false;
  if (problem === 'held' && !item.held.length) return false;
  if (problem === 'unserved' && !item.served.some(([, a]) => !a || !a.length)) return false;
  return words.every((w) => item.blob.includes(w));
}

export function renderServices(store) {
  if (indexedRevision !== store.revision) {
    buildIndex(store);
    indexedRevision = store.revision;
  }
  const form = document.getElementById('service-filters');
  const words = form.elements.q.value.toLowerCase().split(/\s+/).filter(Boolean);
  const group = form.elements.group.value;
  const problem = form.elements.problem.value;
  syncGroupOptions(form.elements.group, store.groups);

  const key = JSON.stringify([store.revision, words, group, problem, limit, Math.floor(Date.now() / 10_000)]);
  if (key === drawn) return;
  drawn = key;

  const hits = index.filter((item) => matches(item, words, group, problem));
  const shown = hits.slice(0, limit);
  replaceChildren(document.getElementById('service-rows'), shown.map(row));
  document.getElementById('service-count').textContent =
    `${hits.length} of ${index.length} services match` + (hits.length > shown.length ? `; showing the first ${shown.length}` : '');
  document.getElementById('more-services').hidden = hits.length <= shown.length;
  document.getElementById('no-services').hidden = hits.length > 0;
  renderCatalogProblems(store);
}

function syncGroupOptions(select, groups) {
  const names = groups.map((g) => g.name);
  const have = [...select.options].slice(1).map((o) => o.value);
  if (JSON.stringify(names) === JSON.stringify(have)) return;
  const value = select.value;
  replaceChildren(select, h('option', {value: ''}, 'all groups'), names.map((n) => h('option', {value: n}, n)));
  select.value = names.includes(value) ? value : '';
}

function row(item) {
  const d = item.record.definition;
  const statics = item.record.staticUpstreams || [];
  return h('tr', {'data-service': d.id},
    h('th', {scope: 'row'}, d.id, d.discoveryName && d.discoveryName !== d.id ? h('div', {class: 'muted'}, `discovery: ${d.discoveryName}`) : null),
    h('td', {}, (d.owners || []).join(', ')),
    h('td', {}, h('code', {}, d.basePath)),
    h('td', {}, (d.groups || []).join(', ')),
    h('td', {class: 'upstreams'},
      item.served.map(([g, addrs]) => {
        if (addrs && addrs.length) return h('div', {}, badge('live', 'good'), ` ${g}: ${addrs.join(', ')}`);
        if (addrs) return h('div', {}, badge('no upstream', 'warn'), ` ${g}: answers 503`);
        if (item.quarantined.some(([q]) => q === g)) return null;
        return h('div', {class: 'muted'}, `${g}: not in the published config yet`);
      }),
      statics.length ? h('div', {class: 'muted'}, `static: ${statics.map((u) => `${u.host}:${u.port}`).join(', ')}`) : null,
      item.held.map(([g, reason]) => h('div', {}, badge('held', 'warn'), ` ${g}: ${reason}`)),
      item.quarantined.map(([g, errors]) => h('div', {class: 'error'}, badge('quarantined', 'bad'), ` ${g}: `,
        errors.map((e) => `${e.file || '?'}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; ')))),
    h('td', {}, when(item.record.updatedAtMillis), h('div', {class: 'muted'}, `by ${item.record.updatedBy || 'unknown'}`)));
}

function renderCatalogProblems(store) {
  const disc = store.discovery || {};
  const list = (title, items, text) => items && (Array.isArray(items) ? items.length : Object.keys(items).length)
    ? [h('h3', {}, title), h('ul', {}, (Array.isArray(items) ? items : Object.entries(items)).map((i) => h('li', {}, text(i))))]
    : null;
  replaceChildren(document.getElementById('catalog-problems'),
    list('Unrouted discovery names (no service claims them)', disc.unroutedNames, (n) => h('code', {}, String(n))),
    list('Malformed service nodes', store.malformed, (m) => [h('code', {}, m.path), `: ${m.reason}`]),
    list('Refused discovery nodes', disc.malformedNodes, (m) => describeNode(m)),
    list('Corrupt catalog nodes (last good value in use)', disc.corruptCatalogNodes, (m) => describeNode(m)));
}

function describeNode(m) {
  if (Array.isArray(m)) return [h('code', {}, m[0]), `: ${typeof m[1] === 'string' ? m[1] : JSON.stringify(m[1])}`];
  if (m && typeof m === 'object') return [h('code', {}, m.path || '?'), `: ${m.reason || JSON.stringify(m)}`];
  return String(m);
}
