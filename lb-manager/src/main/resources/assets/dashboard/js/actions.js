// Write actions: the same REST calls as the CLI. Each asks for confirmation, then shows the result
// or the API's error in words. Who made the change is the token's identity, recorded by the manager.
import {ApiError, enc, request} from './api.js';
import {h, replaceChildren} from './dom.js';
import {poll} from './store.js';

/** Appends a line to the notices log (role=log) and returns it. */
export function notice(text, kind) {
  const log = document.getElementById('notices');
  const item = h('li', {class: kind === 'error' ? 'error' : 'ok'}, h('strong', {}, kind === 'error' ? 'Failed: ' : 'Done: '), text);
  log.prepend(item);
  while (log.children.length > 8) log.lastElementChild.remove();
  return item;
}

/**
 * Opens the confirmation dialog.
 * spec: {title, text, confirmLabel, fields: [{name, label, required, type, options, value}], run(values) -> result text}
 */
export function confirmAction(spec) {
  const dialog = document.getElementById('confirm');
  const form = dialog.querySelector('form');
  const inputs = {};
  const fieldNodes = (spec.fields || []).map((field) => {
    const id = `confirm-${field.name}`;
    let input;
    if (field.options) {
      input = h('select', {id, name: field.name, required: field.required},
        field.options.map((o) => h('option', {value: o.value, selected: String(o.value) === String(field.value)}, o.label)));
    } else if (field.type === 'textarea') {
      input = h('textarea', {id, name: field.name, rows: 2, required: field.required, maxlength: 500});
      input.value = field.value || '';
    } else {
      input = h('input', {id, name: field.name, type: field.type || 'text', required: field.required, min: field.min});
      input.value = field.value === undefined ? '' : field.value;
    }
    inputs[field.name] = input;
    return h('p', {}, h('label', {for: id}, field.label), input);
  });
  const error = h('p', {class: 'dialog-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: spec.danger ? 'danger' : 'primary'}, spec.confirmLabel || 'Confirm');
  const cancel = h('button', {type: 'button', onclick: () => dialog.close()}, 'Cancel');

  replaceChildren(form,
    h('h2', {id: 'confirm-title'}, spec.title),
    h('p', {}, spec.text),
    fieldNodes,
    error,
    h('div', {class: 'dialog-buttons'}, cancel, submit));

  form.onsubmit = async (event) => {
    event.preventDefault();
    const values = {};
    for (const [name, input] of Object.entries(inputs)) values[name] = input.value.trim();
    submit.disabled = true;
    error.textContent = 'Working…';
    try {
      const result = await spec.run(values);
      dialog.close();
      notice(result || `${spec.title}: accepted`);
      poll();
    } catch (e) {
      const words = e instanceof ApiError ? e.describe() : String(e);
      error.textContent = words;
      notice(`${spec.title}: ${words}`, 'error');
    } finally {
      submit.disabled = false;
    }
  };
  dialog.showModal();
  (fieldNodes.length ? Object.values(inputs)[0] : submit).focus();
}

const reason = (label = 'Reason (shown to other operators)') => ({name: 'reason', label, type: 'textarea', required: true});

function versionField(versions, current) {
  if (versions && versions.length) {
    return {name: 'version', label: 'Version to go back to', required: true,
      options: versions.filter((v) => v.version !== current).map((v) => ({value: v.version,
        label: `v${v.version} — ${v.cause || 'no cause'} (${new Date(v.publishedAtMillis).toLocaleString()})`}))};
  }
  return {name: 'version', label: 'Version to go back to', type: 'number', required: true, min: 1};
}

export const actions = {
  rollbackConfig(group, currentVersion, versions, preset) {
    confirmAction({
      title: `Roll back config of ${group}`, danger: true, confirmLabel: 'Roll back',
      text: `Every Nginx of ${group} will be told to serve the chosen version instead of v${currentVersion || '?'}.`,
      fields: [{...versionField(versions, currentVersion), value: preset}, reason()],
      async run({version, reason}) {
        const rollout = await request('POST', `/groups/${enc(group)}/rollback`, {version: Number(version), reason});
        return `rollback of ${group} to v${version} accepted` + (rollout && rollout.id ? ` (rollout ${rollout.id}, ${rollout.state})` : '');
      },
    });
  },
  pin(group) {
    confirmAction({
      title: `Pin ${group}`, confirmLabel: 'Pin',
      text: `While pinned, ${group} keeps its current config version: new renders are not rolled out.`,
      fields: [reason()],
      async run({reason}) {
        await request('PUT', `/groups/${enc(group)}/pin`, {reason});
        return `${group} pinned`;
      },
    });
  },
  unpin(group) {
    confirmAction({
      title: `Unpin ${group}`, confirmLabel: 'Unpin',
      text: `${group} will roll out the current render again.`,
      async run() {
        await request('DELETE', `/groups/${enc(group)}/pin`);
        return `${group} unpinned`;
      },
    });
  },
  fleet(group, verb) {
    const texts = {
      pause: ['Pause the Nginx deploy', 'No further step starts until it is resumed.', 'Pause'],
      resume: ['Resume the Nginx deploy', 'The next step starts.', 'Resume'],
      cancel: ['Cancel the Nginx deploy', 'The deploy stops where it is.', 'Cancel deploy'],
    };
    const [title, text, label] = texts[verb];
    confirmAction({
      title: `${title} of ${group}`, text, confirmLabel: label, danger: verb === 'cancel',
      async run() {
        const upgrade = await request('POST', `/fleet/${enc(group)}/upgrade/${verb}`);
        return `${title.toLowerCase()} of ${group}: ${upgrade && upgrade.state ? `now ${upgrade.state}` : 'accepted'}`;
      },
    });
  },
  rollbackFleet(group, image) {
    confirmAction({
      title: `Roll back Nginx image of ${group}`, danger: true, confirmLabel: 'Roll back image',
      text: `The Nginx tasks of ${group} go back to the previous image${image ? ` (now ${image})` : ''}.`,
      async run() {
        const upgrade = await request('POST', `/fleet/${enc(group)}/rollback`);
        return `image rollback of ${group}: ${upgrade && upgrade.state ? upgrade.state : 'accepted'}`;
      },
    });
  },
  block(group) {
    confirmAction({
      title: `Block deploys to ${group}`, confirmLabel: 'Block',
      text: `No Nginx deploy starts on ${group} until it is unblocked.`,
      fields: [reason()],
      async run({reason}) {
        await request('PUT', `/fleet/${enc(group)}/block`, {reason});
        return `deploys to ${group} blocked`;
      },
    });
  },
  unblock(group) {
    confirmAction({
      title: `Unblock deploys to ${group}`, confirmLabel: 'Unblock',
      text: `Nginx deploys may start on ${group} again.`,
      async run() {
        await request('DELETE', `/fleet/${enc(group)}/block`);
        return `deploys to ${group} unblocked`;
      },
    });
  },
};
