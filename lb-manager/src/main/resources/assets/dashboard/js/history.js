// History view: config rollouts and Nginx deploys with outcome and reason; diff between any two versions.
import {ApiError, enc, optional, request} from './api.js';
import {actions} from './actions.js';
import {renderDiff} from './diff.js';
import {badge, formatTime, h, replaceChildren, replaceIfChanged} from './dom.js';

let loadedFor = '';
let loadedAt = 0;
let versions = [];

export function setupHistory(store, redraw) {
  const select = document.getElementById('history-group');
  select.addEventListener('change', () => { loadedFor = ''; redraw(); });
  document.getElementById('diff-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showDiff(select.value);
  });
}

const describe = (e) => (e instanceof ApiError ? e.describe() : String(e));

export async function renderHistory(store) {
  const select = document.getElementById('history-group');
  const names = store.groups.map((g) => g.name);
  if (JSON.stringify(names) !== JSON.stringify([...select.options].map((o) => o.value))) {
    const value = select.value;
    replaceChildren(select, names.map((n) => h('option', {value: n}, n)));
    select.value = names.includes(value) ? value : names[0] || '';
  }
  const group = select.value;
  if (!group || (loadedFor === group && Date.now() - loadedAt < 5000)) return;
  loadedFor = group;
  loadedAt = Date.now();
  const [rollouts, fleetHistory, versionList] = await Promise.all([
    optional(`/groups/${enc(group)}/rollouts?limit=50`).catch((e) => ({error: describe(e)})),
    optional(`/fleet/${enc(group)}/history`).catch((e) => ({error: describe(e)})),
    optional(`/groups/${enc(group)}/versions`).catch((e) => ({error: describe(e)})),
  ]);
  if (select.value !== group) return;
  // Redraw only what changed, so an open select or a focused button survives the refresh.
  replaceIfChanged(document.getElementById('rollouts'), JSON.stringify([group, rollouts]),
    () => section(rollouts, 'Config rollouts', rolloutTable));
  replaceIfChanged(document.getElementById('deploys'), JSON.stringify([group, fleetHistory]),
    () => section(fleetHistory, 'Nginx deploys', deployTable));
  const entry = store.group.get(group);
  const target = entry && entry.status && entry.status.target ? entry.status.target.version : null;
  const holder = document.getElementById('versions');
  const key = JSON.stringify([group, versionList, target]);
  if (holder.dataset.key !== key) {
    holder.dataset.key = key;
    renderVersions(group, versionList, target);
  }
}

function section(result, what, table) {
  if (result.error) return h('p', {class: 'error', role: 'alert'}, result.error);
  if (!result.available) return h('p', {class: 'muted'}, `${what}: not available on this manager (${result.reason}).`);
  const list = Array.isArray(result.data) ? result.data : (result.data && (result.data.history || result.data.upgrades)) || [];
  if (!list.length) return h('p', {class: 'muted'}, `No ${what.toLowerCase()} yet.`);
  return table(list);
}

const outcome = (state) => badge(state || '?', {SUCCEEDED: 'good', IN_PROGRESS: 'info', RUNNING: 'info', PAUSED: 'warn',
  REVERTED: 'bad', ROLLED_BACK: 'warn', CANCELLED: 'warn', FAILED: 'bad'}[state]);

function table(caption, headers, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows));
}

function rolloutTable(list) {
  return table('Rollouts (config versions reload, routing tables do not), newest first', ['Rollout', 'Versions', 'Outcome', 'Cause / reason', 'By', 'Started', 'Finished'],
    list.map((r) => h('tr', {},
      h('th', {scope: 'row'}, r.id),
      h('td', {}, r.kind === 'ROUTES'
        ? `routes v${r.fromVersion ?? '?'} → v${r.version} (no reload)`
        : `config v${r.fromVersion ?? '?'} → v${r.version} (reload)`),
      h('td', {}, outcome(r.state), r.timedOut ? ' timed out' : null),
      h('td', {}, r.cause || '—', (r.failures || []).map((f) => h('div', {class: 'error'}, `${f.agentId}: ${f.reason}`))),
      h('td', {}, r.actor || '—'),
      h('td', {}, formatTime(r.startedAtMillis)),
      h('td', {}, formatTime(r.finishedAtMillis)))));
}

function deployTable(list) {
  return table('Nginx deploys, newest first', ['Deploy', 'Image', 'Outcome', 'Steps', 'Message', 'Started', 'Updated'],
    list.map((u) => h('tr', {},
      h('th', {scope: 'row'}, u.id || '—'),
      h('td', {}, `${u.fromImage || '?'} → ${u.toImage || '?'}`),
      h('td', {}, outcome(u.state)),
      h('td', {}, u.totalSteps ? `${u.step ?? 0} of ${u.totalSteps}` : '—'),
      h('td', {}, failedDeploy(u) ? h('div', {class: 'error'}, u.message) : (u.message || u.reason || '—')),
      h('td', {}, formatTime(u.startedAtMillis)),
      h('td', {}, formatTime(u.updatedAtMillis || u.finishedAtMillis)))));
}

// A rolled-back or failed deploy's message is its reason (the task, its exit status, its last output).
function failedDeploy(u) {
  return (u.state === 'ROLLED_BACK' || u.state === 'FAILED') && Boolean(u.message);
}

function renderVersions(group, result, targetVersion) {
  const form = document.getElementById('diff-form');
  const holder = document.getElementById('versions');
  if (result.error || !result.available) {
    versions = [];
    form.hidden = true;
    replaceChildren(holder, result.error ? h('p', {class: 'error', role: 'alert'}, result.error)
      : h('p', {class: 'muted'}, `Config versions: not available on this manager (${result.reason}).`));
    return;
  }
  versions = [...(result.data || [])].sort((a, b) => b.version - a.version);
  form.hidden = versions.length < 2;
  for (const [name, pick] of [['from', 1], ['to', 0]]) {
    const select = form.elements[name];
    const value = select.value;
    replaceChildren(select, versions.map((v) => h('option', {value: v.version}, `v${v.version} — ${v.cause || ''}`)));
    select.value = versions.some((v) => String(v.version) === value) ? value : String((versions[pick] || versions[0] || {}).version);
  }
  replaceChildren(holder, versions.length
    ? table(`Config versions of ${group}`, ['Version', 'Published', 'Cause', 'sha256', ''], versions.map((v) => h('tr', {},
      h('th', {scope: 'row'}, `v${v.version}`),
      h('td', {}, formatTime(v.publishedAtMillis)),
      h('td', {}, v.cause || '—'),
      h('td', {}, h('code', {title: v.sha256}, (v.sha256 || '').slice(0, 12))),
      h('td', {}, v.version === targetVersion ? h('span', {class: 'muted'}, 'current target') : h('button', {type: 'button', class: 'danger', 'data-needs': 'operator',
        onclick: () => actions.rollbackConfig(group, targetVersion, versions, v.version)}, `Roll back to v${v.version}…`)))))
    : h('p', {class: 'muted'}, 'No config version published yet.'));
}

async function showDiff(group) {
  const form = document.getElementById('diff-form');
  const out = document.getElementById('diff-output');
  const from = form.elements.from.value;
  const to = form.elements.to.value;
  replaceChildren(out, h('p', {class: 'muted'}, `Loading the diff v${from} → v${to}…`));
  try {
    const result = await request('GET', `/groups/${enc(group)}/diff?from=${enc(from)}&to=${enc(to)}`);
    replaceChildren(out, h('h3', {}, `${group}: v${from} → v${to}`), renderDiff(result.diff, `v${from} (from)`, `v${to} (to)`));
  } catch (e) {
    replaceChildren(out, h('p', {class: 'error', role: 'alert'}, describe(e)));
  }
}
