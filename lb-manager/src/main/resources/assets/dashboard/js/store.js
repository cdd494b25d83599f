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
  group: new Map(),      // name -> {status, statusError, fleet: {available, data, reason} | null, fleetError, served}
  errors: [],            // words for everything that failed in the last poll
  lastPollMillis: 0,
  revision: 0,           // grows whenever anything a view shows changed
};

const listeners = new Set();
export function subscribe(listener) { listeners.add(listener); }
function notify() { for (const listener of listeners) listener(store); }

const served = new Map(); // group -> {sha256, byService: Map(id -> [address])}

function describe(e) { return e instanceof ApiError ? e.describe() : String(e); }

async function settle(promise) {
  try { return {ok: true, value: await promise}; } catch (error) { return {ok: false, error}; }
}

/** The upstream addresses in the group's published bundle (upstreams/<id>.conf, "server ADDRESS ..."). */
export function parseServedUpstreams(files) {
  const byService = new Map();
  for (const [name, content] of Object.entries(files || {})) {
    const m = /^upstreams\/(.+)\.conf$/.exec(name);
    if (!m) continue;
    const addresses = [];
    for (const line of String(content).split('\n')) {
      const s = /^\s*server\s+(\S+?)(\s|;)/.exec(line);
      if (s) addresses.push(s[1]);
    }
    byService.set(m[1], addresses);
  }
  return byService;
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
    served: null,
  };
  if (entry.statusError) errors.push(entry.statusError);
  if (entry.fleetError) errors.push(entry.fleetError);
  const sha = entry.status && entry.status.target ? entry.status.target.sha256 : null;
  const cached = served.get(name);
  if (sha && (!cached || cached.sha256 !== sha)) {
    const config = await settle(request('GET', `/groups/${enc(name)}/config`));
    if (config.ok) served.set(name, {sha256: config.value.sha256 || sha, byService: parseServedUpstreams(config.value.files)});
  }
  entry.served = sha && served.get(name) ? served.get(name).byService : null;
  return entry;
}

let lastSignature = '';

export async function pollOnce() {
  const errors = [];
  const [services, groups, discovery] = await Promise.all([
    settle(requestRaw('GET', '/services')),
    settle(request('GET', '/groups')),
    settle(request('GET', '/discovery')),
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

  const names = store.groups.map((g) => g.name);
  const entries = await Promise.all(names.map((name) => pollGroup(name, errors)));
  const group = new Map();
  names.forEach((name, i) => group.set(name, entries[i]));
  store.group = group;
  store.errors = errors;
  store.lastPollMillis = Date.now();

  const signature = JSON.stringify([store.groups, store.discovery,
    [...group].map(([n, e]) => [n, e.status, e.statusError, e.fleet, e.fleetError, served.get(n) && served.get(n).sha256]),
    errors]) + '\n' + store.servicesText;
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
  running = pollOnce().catch((e) => {
    store.errors = [describe(e)];
    notify();
  }).finally(() => {
    running = null;
    timer = setTimeout(poll, document.hidden ? HIDDEN_POLL_MILLIS : POLL_MILLIS);
  });
  return running;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) poll();
});
