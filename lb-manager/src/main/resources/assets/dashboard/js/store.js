// Polls the manager and keeps the latest answers. Views subscribe and redraw only what changed.
import {ApiError, enc, optional, request, requestRaw} from './api.js';

export const POLL_MILLIS = 1000;
/** A tab nobody looks at polls less; it catches up as soon as it is shown again. */
export const HIDDEN_POLL_MILLIS = 10000;

export const store = {
  services: [],          // ServiceRecord[]
  malformed: [],         // [{path, reason}]
  servicesText: '',
  groups: [],            // [{name, services}]
  discovery: null,       // {unroutedNames, malformedNodes, corruptCatalogNodes}
  group: new Map(),      // name -> {status, statusError, fleet: {available, data, reason} | null, fleetError}
  routing: new Map(),    // service id -> GET /routing's entry: per group, what the Nginx fleet routes to, with traffic
  routingText: '',
  selected: null,        // the service whose page is open (#service/ID), and its GET /services/ID/routing
  selectedRouting: null,
  selectedHibernation: null, // GET /services/ID/hibernation of the open service: awake, hibernated, waking or off
  selectedError: null,
  errors: [],            // words for everything that failed in the last poll
  lastPollMillis: 0,
  revision: 0,           // grows whenever anything a view shows changed
};

const listeners = new Set();
export function subscribe(listener) { listeners.add(listener); }
function notify() { for (const listener of listeners) listener(store); }

function describe(e) { return e instanceof ApiError ? e.describe() : String(e); }

async function settle(promise) {
  try { return {ok: true, value: await promise}; } catch (error) { return {ok: false, error}; }
}

async function pollGroup(name, errors) {
  const [status, fleet] = await Promise.all([
    settle(request('GET', `/groups/${enc(name)}/status`)),
    settle(optional(`/fleet/${enc(name)}`)),
  ]);
  const entry = {
    status: status.ok ? status.value : null,
    statusError: status.ok ? null : describe(status.error),
    fleet: fleet.ok ? fleet.value : null,
    fleetError: fleet.ok ? null : describe(fleet.error),
  };
  if (entry.statusError) errors.push(entry.statusError);
  if (entry.fleetError) errors.push(entry.fleetError);
  return entry;
}

let lastSignature = '';

export async function pollOnce() {
  const errors = [];
  // Everything at once, groups as known from the last poll; a group new since then is read right after.
  const known = store.groups.map((g) => g.name);
  const selected = store.selected;
  const [services, groups, discovery, routing, page, hibernation, ...entries] = await Promise.all([
    settle(requestRaw('GET', '/services')),
    settle(request('GET', '/groups')),
    settle(request('GET', '/discovery')),
    settle(requestRaw('GET', '/routing')),
    selected ? settle(request('GET', `/services/${enc(selected)}/routing`)) : Promise.resolve(null),
    selected ? settle(request('GET', `/services/${enc(selected)}/hibernation`)) : Promise.resolve(null),
    ...known.map((name) => pollGroup(name, errors)),
  ]);
  if (services.ok) {
    if (services.value.text !== store.servicesText) {
      store.servicesText = services.value.text;
      store.services = services.value.data.services || [];
      store.malformed = services.value.data.malformed || [];
    }
  } else errors.push(describe(services.error));
  if (groups.ok) store.groups = groups.value || [];
  else errors.push(describe(groups.error));
  if (discovery.ok) store.discovery = discovery.value;
  else errors.push(describe(discovery.error));
  if (routing.ok) {
    if (routing.value.text !== store.routingText) {
      store.routingText = routing.value.text;
      store.routing = new Map((routing.value.data.services || []).map((r) => [r.id, r]));
    }
  } else errors.push(describe(routing.error));
  if (page && selected === store.selected) {
    store.selectedRouting = page.ok ? page.value : null;
    store.selectedError = page.ok ? null : describe(page.error);
  }
  if (hibernation && selected === store.selected) store.selectedHibernation = hibernation.ok ? hibernation.value : null;

  const group = new Map();
  known.forEach((name, i) => group.set(name, entries[i]));
  const added = store.groups.map((g) => g.name).filter((name) => !group.has(name));
  const addedEntries = await Promise.all(added.map((name) => pollGroup(name, errors)));
  added.forEach((name, i) => group.set(name, addedEntries[i]));
  for (const name of [...group.keys()]) if (!store.groups.some((g) => g.name === name)) group.delete(name);
  store.group = group;
  store.errors = errors;
  store.lastPollMillis = Date.now();

  const signature = JSON.stringify([store.groups, store.discovery,
    [...group].map(([n, e]) => [n, e.status, e.statusError, e.fleet, e.fleetError]), errors, store.selected, store.selectedRouting,
    store.selectedError, store.selectedHibernation]) + '\n' + store.servicesText + '\n' + store.routingText;
  if (signature !== lastSignature) {
    lastSignature = signature;
    store.revision++;
  }
  notify();
}

/** Polls forever, never two polls at once; poll() also runs one right away (after an action). */
let timer = null;
let running = null;
export function poll() {
  if (running) return running;
  clearTimeout(timer);
  const started = Date.now();
  running = pollOnce().catch((e) => {
    store.errors = [describe(e)];
    notify();
  }).finally(() => {
    running = null;
    // One poll per interval, start to start: a slow answer does not add to the wait for the next.
    const interval = document.hidden ? HIDDEN_POLL_MILLIS : POLL_MILLIS;
    timer = setTimeout(poll, Math.max(100, interval - (Date.now() - started)));
  });
  return running;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) poll();
});
