// Tiny DOM helpers: every text goes in through textContent, never as HTML.

/** h('td', {class: 'x', onclick: fn, 'aria-label': 'y'}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function replaceChildren(el, ...children) {
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  el.replaceChildren(fragment);
}

const pad = (n) => String(n).padStart(2, '0');

/** 2026-11-25 21:56:25 in the browser's time zone, or an em dash. */
export function formatTime(millis) {
  if (!millis) return '—';
  const d = new Date(millis);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "5 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function ago(millis, now = Date.now()) {
  if (!millis) return 'never';
  const s = Math.max(0, Math.round((now - millis) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A <time> showing when, with the exact time on hover. */
export function when(millis) {
  if (!millis) return h('span', {class: 'muted'}, 'never');
  return h('time', {datetime: new Date(millis).toISOString(), title: formatTime(millis)}, ago(millis));
}

/** A badge that says its state in words (colour only repeats it). */
export function badge(text, kind) {
  return h('span', {class: `badge ${kind || ''}`.trim()}, text);
}

/** Rebuilds el's children only when key differs from the last one used for el. */
export function replaceIfChanged(el, key, build) {
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  replaceChildren(el, build());
}
