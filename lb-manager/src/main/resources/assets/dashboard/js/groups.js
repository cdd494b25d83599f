// Groups view: per LB group, its Nginx tasks, versions, rollout in flight, pinned / blocked / paused state, actions.
import {optional, enc} from './api.js';
import {actions} from './actions.js';
import {badge, h, replaceChildren, when} from './dom.js';

const cards = new Map(); // group -> {signature, node}

export function renderGroups(store, root) {
  if (!store.groups.length) {
    replaceChildren(root, h('p', {class: 'muted'}, store.errors.length ? 'Groups could not be loaded (see the problems above).' : 'No LB groups yet.'));
    cards.clear();
    return;
  }
  const nodes = store.groups.map((g) => {
    const entry = store.group.get(g.name) || {};
    const signature = JSON.stringify([g, entry.status, entry.statusError, entry.fleet, entry.fleetError]);
    const cached = cards.get(g.name);
    if (cached && cached.signature === signature && !hasRelativeTimes(cached)) return cached.node;
    const node = groupCard(g, entry);
    cards.set(g.name, {signature, node, at: Date.now()});
    return node;
  });
  for (const name of [...cards.keys()]) if (!store.groups.some((g) => g.name === name)) cards.delete(name);
  if (nodes.length !== root.children.length || nodes.some((n, i) => root.children[i] !== n)) {
    const focused = document.activeElement;
    const card = focused && focused.closest && focused.closest('[data-group]');
    replaceChildren(root, nodes);
    if (card && !card.isConnected) refocus(root, card.dataset.group, focused.textContent);
  }
}

// A redraw must not take the keyboard focus away: focus the same button in the new card.
function refocus(root, group, label) {
  const card = [...root.children].find((c) => c.dataset.group === group);
  const button = card && [...card.querySelectorAll('button')].find((b) => b.textContent === label);
  if (button) button.focus();
}

// "12 s ago" must move on: redraw a card at most every 10 s even when nothing changed.
function hasRelativeTimes(cached) { return Date.now() - cached.at > 10_000 && !document.querySelector('dialog[open]'); }

function groupCard(group, entry) {
  const status = entry.status || {};
  const target = status.target;
  const render = status.status;
  const fleet = entry.fleet && entry.fleet.available ? entry.fleet.data : null;
  const agents = status.agents || [];
  const headingId = `group-${group.name}`;
  return h('section', {class: 'card', 'aria-labelledby': headingId, 'data-group': group.name},
    h('header', {class: 'card-head'},
      h('h2', {id: headingId}, group.name),
      stateBadges(status, render, fleet),
      h('span', {class: 'muted'}, `${group.services.length} service${group.services.length === 1 ? '' : 's'}`)),
    entry.statusError ? h('p', {class: 'error', role: 'alert'}, entry.statusError) : null,
    h('dl', {class: 'facts'},
      fact('Config version (target)', target ? [`v${target.version}`, ' ', h('span', {class: 'muted'}, `${target.cause || ''} — published `), when(target.publishedAtMillis)] : 'none published yet'),
      'live' in status ? fact('Live (served by every Nginx)', status.live ? `v${status.live.version}` : 'none yet') : null,
      status.pinned ? fact('Pinned', [`by ${status.pinned.by}: `, h('q', {}, status.pinned.reason), ' ', when(status.pinned.atMillis)]) : null,
      render && render.state === 'BLOCKED' ? fact('Render blocked', h('span', {class: 'error'}, render.message || 'no reason given')) : null,
      fleet ? fact('Nginx image', `${fleet.image || '?'} × ${fleet.instances ?? '?'} (${fleet.backend || 'backend ?'})`) : null,
      fleet && fleet.blocked ? fact('Deploys blocked', [`by ${fleet.blocked.by}: `, h('q', {}, fleet.blocked.reason), ' ', when(fleet.blocked.atMillis)]) : null),
    rolloutPanel(status.rollout, agents),
    upgradePanel(fleet, entry),
    tasksTable(group.name, target, agents, fleet),
    problems(render),
    actionBar(group.name, status, fleet, entry));
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function stateBadges(status, render, fleet) {
  const list = [];
  if (render) list.push(render.state === 'BLOCKED' ? badge('render blocked', 'bad') : badge('config current', 'good'));
  if (status.pinned) list.push(badge('pinned', 'warn'));
  if (status.rollout && status.rollout.state === 'IN_PROGRESS') list.push(badge('rollout in progress', 'info'));
  if (fleet && fleet.blocked) list.push(badge('deploys blocked', 'warn'));
  if (fleet && fleet.upgrade && fleet.upgrade.state === 'PAUSED') list.push(badge('deploy paused', 'warn'));
  if (fleet && fleet.upgrade && fleet.upgrade.state === 'RUNNING') list.push(badge('deploy running', 'info'));
  const agents = status.agents || [];
  const failed = agents.filter((a) => a.state === 'FAILED').length;
  if (failed) list.push(badge(`${failed} Nginx failed`, 'bad'));
  return h('span', {class: 'badges'}, list);
}

function progress(done, total, label) {
  return h('div', {class: 'progress-row'},
    h('progress', {max: Math.max(total, 1), value: done, 'aria-label': label}),
    h('span', {}, `${done} of ${total}`));
}

function rolloutPanel(rollout, agents) {
  if (!rollout) return null;
  const inFlight = rollout.state === 'IN_PROGRESS';
  const done = agents.filter((a) => a.runningVersion === rollout.version).length;
  return h('div', {class: `panel ${inFlight ? 'inflight' : ''}`},
    h('h3', {}, inFlight ? 'Config rollout in flight' : 'Last config rollout'),
    h('p', {}, `${rollout.id}: v${rollout.fromVersion ?? '?'} → v${rollout.version}, `, stateWord(rollout.state),
      ` — ${rollout.cause || 'no cause'}, by ${rollout.actor || 'unknown'}, started `, when(rollout.startedAtMillis),
      rollout.finishedAtMillis ? [', finished ', when(rollout.finishedAtMillis)] : null),
    inFlight ? progress(done, agents.length, `Nginx serving v${rollout.version}`) : null,
    failures(rollout.failures));
}

function failures(list) {
  if (!list || !list.length) return null;
  return h('ul', {class: 'errors'}, list.map((f) => h('li', {}, h('strong', {}, f.agentId || 'agent'), `: ${f.reason}`)));
}

function stateWord(state) {
  const kind = {SUCCEEDED: 'good', IN_PROGRESS: 'info', RUNNING: 'info', PAUSED: 'warn', REVERTED: 'bad',
    ROLLED_BACK: 'warn', CANCELLED: 'warn', FAILED: 'bad'}[state];
  return badge(state || 'unknown', kind);
}

function upgradePanel(fleet, entry) {
  if (entry.fleetError) return h('p', {class: 'error', role: 'alert'}, `Fleet: ${entry.fleetError}`);
  if (entry.fleet && !entry.fleet.available) return h('p', {class: 'muted'}, `Fleet view not available on this manager (${entry.fleet.reason}).`);
  const up = fleet && fleet.upgrade;
  if (!up) return null;
  const active = up.state === 'RUNNING' || up.state === 'PAUSED';
  return h('div', {class: `panel ${active ? 'inflight' : ''}`},
    h('h3', {}, active ? 'Nginx deploy in flight' : 'Last Nginx deploy'),
    h('p', {}, `${up.id}: ${up.fromImage} → ${up.toImage}, `, stateWord(up.state),
      `, ${up.stepSize} task${up.stepSize === 1 ? '' : 's'} per step, started `, when(up.startedAtMillis),
      ', updated ', when(up.updatedAtMillis)),
    progress(up.step || 0, up.totalSteps || 0, 'deploy steps done'),
    up.message ? h('p', {}, h('q', {}, up.message)) : null);
}

function lagOf(agent, target) {
  if (typeof agent.lag === 'number') return agent.lag;
  if (!target || !agent.runningVersion) return null;
  return Math.max(0, target.version - agent.runningVersion);
}

function tasksTable(group, target, agents, fleet) {
  const tasks = fleet && Array.isArray(fleet.tasks) ? fleet.tasks : [];
  // An agent and its task are the same Nginx: same host and port, or else the only task with both its ports
  // (a host may be spelled differently by the agent and by the fleet backend).
  const taskOf = (a) => {
    const exact = tasks.find((t) => t.host === a.host && t.trafficPort === a.trafficPort);
    if (exact) return exact;
    const byPorts = tasks.filter((t) => t.trafficPort === a.trafficPort && t.adminPort === a.adminPort);
    return byPorts.length === 1 ? byPorts[0] : null;
  };
  const matched = new Set(agents.map(taskOf).filter(Boolean));
  const orphans = tasks.filter((t) => !matched.has(t));
  if (!agents.length && !orphans.length) return h('p', {class: 'muted'}, 'No Nginx task reports to this group.');
  const rows = agents.map((a) => {
    const task = taskOf(a);
    const lag = lagOf(a, target);
    return h('tr', {},
      h('th', {scope: 'row'}, a.agentId),
      h('td', {}, `${a.host}:${a.trafficPort}`, h('br'), h('span', {class: 'muted'}, `admin ${a.adminPort}`)),
      h('td', {}, task ? task.image : '—'),
      h('td', {}, a.runningVersion ? `v${a.runningVersion}` : 'none yet'),
      h('td', {}, lag === null ? '—' : lag === 0 ? badge('current', 'good') : badge(`${lag} behind`, 'warn')),
      h('td', {}, healthBadge(a.state), task && !task.ready ? [' ', badge('task not ready', 'warn')] : null, upstreamsNote(a),
        a.error ? h('div', {class: 'error'}, a.error) : null,
        a.peerError ? h('div', {class: 'error'}, a.peerError) : null),
      h('td', {}, when(a.updatedAtMillis)));
  });
  for (const t of orphans) {
    rows.push(h('tr', {},
      h('th', {scope: 'row'}, t.taskId),
      h('td', {}, `${t.host}:${t.trafficPort}`),
      h('td', {}, t.image),
      h('td', {}, '—'), h('td', {}, '—'),
      h('td', {}, badge(t.running ? 'running, agent not reporting' : 'not running', 'warn')),
      h('td', {}, '—')));
  }
  return h('table', {class: 'tasks'},
    h('caption', {}, `Nginx tasks of ${group}`),
    h('thead', {}, h('tr', {}, ['Task', 'Address', 'Image', 'Runs', 'Lag', 'Health', 'Reported'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows));
}

// How upstream membership reaches this Nginx: pushed into its Lua balancer, or by reloading.
function upstreamsNote(agent) {
  if (!agent.upstreams) return null;
  const text = agent.upstreams === 'dynamic' ? `peers pushed live (${agent.peerPushes || 0} pushes)` : 'peers by reload';
  return [h('br'), h('span', {class: 'muted'}, text)];
}

function healthBadge(state) {
  return badge(state || 'UNKNOWN', {READY: 'good', STARTING: 'info', FAILED: 'bad'}[state]);
}

function problems(render) {
  if (!render) return null;
  const quarantined = Object.entries(render.quarantined || {});
  const held = Object.entries(render.held || {});
  if (!quarantined.length && !held.length) return null;
  return h('div', {class: 'panel'},
    quarantined.length ? [h('h3', {}, 'Quarantined services (left out of the config)'),
      h('ul', {class: 'errors'}, quarantined.map(([id, errors]) => h('li', {}, h('strong', {}, id), ': ',
        errors.map((e) => `${e.file || '?'}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; '))))] : null,
    held.length ? [h('h3', {}, 'Held by the empty-list guard'),
      h('ul', {}, held.map(([id, reason]) => h('li', {}, h('strong', {}, id), `: ${reason}`)))] : null);
}

function actionBar(group, status, fleet, entry) {
  const target = status.target;
  const buttons = [];
  const button = (label, onclick, danger) => h('button', {type: 'button', class: danger ? 'danger' : '', onclick}, label);
  buttons.push(button('Roll back config…', async () => {
    const versions = await optional(`/groups/${enc(group)}/versions`).catch(() => ({available: false}));
    actions.rollbackConfig(group, target && target.version, versions.available ? versions.data : null);
  }, true));
  // A manager whose status has no "pinned" field cannot pin: offer no button that can only fail.
  if ('pinned' in status) buttons.push(status.pinned ? button('Unpin', () => actions.unpin(group)) : button('Pin…', () => actions.pin(group)));
  if (entry.fleet && entry.fleet.available) {
    const up = fleet && fleet.upgrade;
    if (up && up.state === 'RUNNING') buttons.push(button('Pause deploy', () => actions.fleet(group, 'pause')));
    if (up && up.state === 'PAUSED') buttons.push(button('Resume deploy', () => actions.fleet(group, 'resume')));
    if (up && (up.state === 'RUNNING' || up.state === 'PAUSED')) buttons.push(button('Cancel deploy', () => actions.fleet(group, 'cancel'), true));
    buttons.push(button('Roll back image…', () => actions.rollbackFleet(group, fleet && fleet.image), true));
    buttons.push(fleet && fleet.blocked ? button('Unblock deploys', () => actions.unblock(group)) : button('Block deploys…', () => actions.block(group)));
  }
  return h('div', {class: 'actions', role: 'group', 'aria-label': `Actions on ${group}`, 'data-needs': 'operator'}, buttons);
}
