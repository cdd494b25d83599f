// Services view: search and filter the whole catalog; render only one page of rows at a time.
import {badge, h, replaceChildren, when} from './dom.js';

const PAGE = 100;
let index = [];          // [{record, blob, quarantined: [[group, errors]], held: [[group, reason]], routing: {id, traffic, groups} | undefined}]
let indexedRevision = -1;
let limit = PAGE;
let drawn = '';
let lastHits = [];

export function setupServices(store, redraw) {
  const form = document.getElementById('service-filters');
  const again = () => { limit = PAGE; redraw(); };
  form.addEventListener('input', again);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    // Enter on a search that leaves one service opens its page.
    if (lastHits.length === 1) location.hash = `#service/${encodeURIComponent(lastHits[0].record.definition.id)}`;
  });
  document.getElementById('more-services').addEventListener('click', () => { limit += PAGE; redraw(); });
}

function buildIndex(store) {
  index = store.services.map((record) => {
    const d = record.definition || {};
    const quarantined = [];
    const held = [];
    for (const g of d.groups || []) {
      const entry = store.group.get(g);
      const render = entry && entry.status && entry.status.status;
      if (render && render.quarantined && render.quarantined[d.id]) quarantined.push([g, render.quarantined[d.id]]);
      if (render && render.held && render.held[d.id]) held.push([g, render.held[d.id]]);
    }
    const routing = store.routing.get(d.id);
    const blob = [d.id, d.discoveryName, d.basePath, ...(d.owners || []), ...(d.groups || []), record.updatedBy,
      ...(record.staticUpstreams || []).map((u) => `${u.host}:${u.port}`),
      ...(routing ? routing.groups.flatMap((g) => (g.peers || []).map((p) => `${p.host}:${p.port}`)) : [])].join(' ').toLowerCase();
    return {record, blob, quarantined, held, routing};
  });
}

function matches(item, words, group, problem) {
  if (group && !(item.record.definition.groups || []).includes(group)) return false;
  if (problem === 'quarantined' && !item.quarantined.length) return false;
  if (problem === 'held' && !item.held.length) return false;
  if (problem === 'unserved' && !(item.routing && item.routing.groups.some((g) => g.state === 'NO_UPSTREAMS' || g.state === 'NOT_PUBLISHED'))) return false;
  return words.every((w) => item.blob.includes(w));
}

export function renderServices(store) {
  const page = document.getElementById('service-page');
  const listing = document.getElementById('service-listing');
  page.hidden = !store.selected;
  listing.hidden = !!store.selected;
  if (store.selected) {
    renderServicePage(store, page);
    return;
  }
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
  lastHits = hits;
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
  const groups = item.routing ? item.routing.groups : [];
  return h('tr', {'data-service': d.id},
    h('th', {scope: 'row'}, h('a', {href: `#service/${encodeURIComponent(d.id)}`}, d.id),
      d.discoveryName && d.discoveryName !== d.id ? h('div', {class: 'muted'}, `discovery: ${d.discoveryName}`) : null,
      d.options && d.options.hibernation ? h('div', {class: 'muted'}, `hibernates after ${d.options.hibernation.idleSeconds} s idle`) : null),
    h('td', {}, (d.owners || []).join(', ')),
    h('td', {}, h('code', {}, d.basePath)),
    h('td', {}, (d.groups || []).join(', ')),
    h('td', {class: 'upstreams'},
      item.routing ? null : h('div', {class: 'muted'}, 'routing not known yet'),
      groups.map((g) => groupLine(g)),
      statusOnly(item, groups),
      statics.length ? h('div', {class: 'muted'}, `static: ${statics.map((u) => `${u.host}:${u.port}`).join(', ')}`) : null),
    h('td', {}, traffic(item.routing && item.routing.traffic)),
    h('td', {}, when(item.record.updatedAtMillis), h('div', {class: 'muted'}, `by ${item.record.updatedBy || 'unknown'}`)));
}

/** Holds and quarantines the group status reports that the routing view does not show (yet). */
function statusOnly(item, groups) {
  const shown = (group, state) => groups.some((g) => g.group === group && g.state === state);
  return [
    ...item.held.filter(([g]) => !shown(g, 'HELD')).map(([g, reason]) =>
      h('div', {class: 'muted'}, badge('held', 'warn'), ` ${g}: ${reason}`)),
    ...item.quarantined.filter(([g]) => !shown(g, 'QUARANTINED')).map(([g, errors]) =>
      h('div', {class: 'error'}, badge('quarantined', 'bad'), ` ${g}: `,
        (Array.isArray(errors) ? errors : [errors]).map((e) => typeof e === 'string' ? e : e.message).join('; '))),
  ];
}

export function peerText(p) {
  return `${p.host}:${p.port}${p.weight !== 1 ? ` weight ${p.weight}` : ''} (${p.source})`;
}

/** One group of a service: where its Nginx fleet routes it, or why nowhere, in words. */
function groupLine(g) {
  const confirmed = g.agentsTotal ? ` · ${g.agentsCurrent}/${g.agentsTotal} Nginx confirmed` : '';
  switch (g.state) {
    case 'QUARANTINED':
      return h('div', {class: 'error'}, badge('quarantined', 'bad'), ` ${g.group}: `,
        (g.errors || []).map((e) => `${e.file || '?'}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; '));
    case 'NO_UPSTREAMS':
      return h('div', {class: 'no-upstreams error'}, badge('no upstreams', 'bad'), ` ${g.group}: ${g.message}`);
    case 'NOT_PUBLISHED':
      return h('div', {class: 'muted'}, `${g.group}: ${g.message}`);
    default:
      return h('div', {},
        g.state === 'HELD' ? badge('held', 'warn') : badge('live', 'good'),
        ` ${g.group}: ${(g.peers || []).map(peerText).join(', ')}`,
        h('span', {class: 'muted'}, confirmed),
        g.state === 'HELD' ? h('div', {class: 'muted'}, `held: ${g.heldReason}`) : null);
  }
}

/** "12.5 req/s · 0.8% 5xx", or a dash when no Nginx counts the service's requests. */
export function traffic(t) {
  if (!t) return h('span', {class: 'muted'}, '—');
  const rate = `${(t.errorRate * 100).toFixed(1)}% 5xx`;
  return h('span', {class: t.errorRate > 0 ? 'error' : ''}, `${t.requestsPerSecond} req/s · ${rate}`,
    h('div', {class: 'muted'}, `${t.requests} requests, ${t.errors} 5xx since Nginx started`));
}

/** The service page (#service/ID): per group, every Nginx and what it routes to. */
function renderServicePage(store, page) {
  const id = store.selected;
  const r = store.selectedRouting && store.selectedRouting.id === id ? store.selectedRouting : null;
  const hib = store.selectedHibernation && store.selectedHibernation.id === id ? store.selectedHibernation : null;
  const key = JSON.stringify([id, r, hib, store.selectedError, Math.floor(Date.now() / 10_000)]);
  if (page.dataset.key === key) return;
  page.dataset.key = key;
  replaceChildren(page,
    h('p', {}, h('a', {href: '#services'}, '← all services')),
    h('h2', {}, `Service ${id}`),
    store.selectedError ? h('p', {class: 'error'}, store.selectedError) : null,
    !r && !store.selectedError ? h('p', {class: 'muted'}, 'Loading…') : null,
    r ? h('p', {}, 'Traffic over all groups: ', traffic(r.traffic)) : null,
    hibernationLine(hib),
    r ? r.groups.map((g) => h('section', {class: 'card', 'data-group': g.group},
      h('h3', {}, `Group ${g.group}`, g.mode ? h('span', {class: 'muted'}, ` (${g.mode === 'dynamic' ? 'Lua balancer, no reload' : 'rendered config'})`) : null),
      groupLine(g),
      g.peerListVersion ? h('div', {class: 'muted'}, `peer list version ${g.peerListVersion}`) : null,
      g.configVersion ? h('div', {class: 'muted'}, `config version v${g.configVersion}`) : null,
      h('table', {class: 'agents'},
        h('thead', {}, h('tr', {}, ['Nginx', 'Routes to', 'Confirmed', 'Traffic'].map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, (g.agents || []).map((a) => h('tr', {'data-agent': a.agentId},
          h('th', {scope: 'row'}, a.agentId, h('div', {class: 'muted'}, `${a.host}:${a.trafficPort}`)),
          h('td', {}, a.routesTo ? (a.routesTo.length ? a.routesTo.map(peerText).join(', ')
            : h('span', {class: 'no-upstreams error'}, 'nothing: requests get 503')) : h('span', {class: 'muted'}, 'not known'),
          a.error ? h('div', {class: 'error'}, a.error) : null),
          h('td', {}, a.current ? badge('current', 'good') : badge('behind', 'warn'),
            a.peerListVersion !== undefined ? h('div', {class: 'muted'}, `peer list ${a.peerListVersion}`) : null,
            h('div', {class: 'muted'}, `serves v${a.configVersion}`)),
          h('td', {}, traffic(a.traffic)))))),
      (g.agents || []).length ? null : h('p', {class: 'muted'}, 'No Nginx of this group reports.'))) : null);
}

/** Whether the service is scaled to zero when idle (the hibernation option) and where it is now. */
function hibernationLine(hib) {
  if (!hib || hib.state === 'off') return null;
  const since = hib.sinceMillis ? ` since ${when(hib.sinceMillis)}` : '';
  const wakes = ` · ${hib.wakes} wake-up${hib.wakes === 1 ? '' : 's'} ordered by this manager`;
  switch (hib.state) {
    case 'hibernated':
      return h('p', {class: 'hibernation'}, badge('hibernated', 'warn'), ` scaled to zero${since}; the next request wakes it`, h('span', {class: 'muted'}, wakes));
    case 'waking':
      return h('p', {class: 'hibernation'}, badge('waking', 'warn'), ` scaled up${since}; Nginx holds its requests until an instance registers`, h('span', {class: 'muted'}, wakes));
    default:
      return h('p', {class: 'hibernation'}, badge('awake', 'good'),
        ` idle ${Math.floor(hib.idleForMillis / 1000)} s of ${hib.idleSeconds} s before it hibernates`, h('span', {class: 'muted'}, wakes));
  }
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
