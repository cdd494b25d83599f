// Usage view (chargeback): who used the LB fleet and what it cost, per service, team or group, with an hourly chart in plain SVG.
import {ApiError, enc, request} from './api.js';
import {h, replaceChildren} from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#7f7f7f'];
const SHOWN = 5;
let loadedKey = '';
let loadedAt = 0;

export function setupUsage(redraw) {
  const form = document.getElementById('usage-filters');
  form.addEventListener('submit', (e) => { e.preventDefault(); loadedKey = ''; redraw(); });
  form.addEventListener('change', () => { loadedKey = ''; redraw(); });
}

export async function renderUsage() {
  const form = document.getElementById('usage-filters');
  const hours = Number(form.elements.hours.value) || 24;
  const query = [`by=${enc(form.elements.by.value)}`, `from=${enc(new Date(Date.now() - hours * 3600_000).toISOString())}`];
  const team = form.elements.team.value.trim();
  if (team) query.push(`team=${enc(team)}`);
  const metric = form.elements.metric.value;
  const key = query.join('&') + metric;
  if (key === loadedKey && Date.now() - loadedAt < 30_000) return;
  loadedKey = key;
  loadedAt = Date.now();
  const rows = document.getElementById('usage-rows');
  const chart = document.getElementById('usage-chart');
  let report;
  let hourly;
  try {
    [report, hourly] = await Promise.all([request('GET', `/usage?${query.join('&')}`), request('GET', `/usage/hourly?${query.join('&')}`)]);
  } catch (e) {
    replaceChildren(rows, h('tr', {}, h('td', {colspan: 8, class: 'error'}, e instanceof ApiError ? e.describe() : String(e))));
    replaceChildren(chart);
    return;
  }
  const lines = report.lines.concat([report.total]);
  replaceChildren(rows, report.lines.length ? lines.map((l) => h('tr', {class: l === report.total ? 'total' : ''},
    h('th', {scope: 'row'}, l.key),
    h('td', {class: 'num'}, l.requests.toLocaleString()),
    h('td', {class: 'num'}, gb(l.bytesIn)),
    h('td', {class: 'num'}, gb(l.bytesOut)),
    h('td', {class: 'num'}, `${l.errors4xx} / ${l.errors5xx} (${l.noUpstream} no upstream, ${l.connectFailures} connect)`),
    h('td', {class: 'num'}, l.cpuCoreSeconds.toFixed(1)),
    h('td', {class: 'num'}, l.memoryGbHours.toFixed(3)),
    h('td', {class: 'num'}, l.cost.total.toFixed(2))))
    : h('tr', {}, h('td', {colspan: 8, class: 'muted'}, 'No usage in this period.')));
  replaceChildren(chart, drawChart(hourly.hours, report.lines.slice(0, SHOWN).map((l) => l.key), metric));
}

const gb = (bytes) => `${(bytes / 1e9).toFixed(3)} GB`;
const valueOf = (line, metric) => metric === 'cost' ? line.cost.total : line.requests;

/** One polyline per key (the most expensive five and "other"), hours on x, requests or cost on y. */
function drawChart(hours, keys, metric) {
  if (!hours.length) return h('p', {class: 'muted'}, 'Nothing to chart yet.');
  const series = keys.concat(['other']).map((key) => hours.map((hour) => hour.lines
    .filter((l) => (key === 'other' ? !keys.includes(l.key) : l.key === key))
    .reduce((sum, l) => sum + valueOf(l, metric), 0)));
  const width = 720;
  const height = 240;
  const pad = 40;
  const max = Math.max(1e-9, ...series.flat());
  const x = (i) => pad + (hours.length === 1 ? (width - 2 * pad) / 2 : i * (width - 2 * pad) / (hours.length - 1));
  const y = (v) => height - pad - v / max * (height - 2 * pad);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${metric} per hour`);
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    svg.append(el);
  };
  add('line', {x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: '#999'});
  add('line', {x1: pad, y1: pad, x2: pad, y2: height - pad, stroke: '#999'});
  add('text', {x: 2, y: pad, 'font-size': 10}, metric === 'cost' ? max.toFixed(2) : Math.round(max).toLocaleString());
  add('text', {x: pad, y: height - pad + 14, 'font-size': 10}, hours[0].start.slice(0, 13) + 'h');
  add('text', {x: width - pad - 80, y: height - pad + 14, 'font-size': 10}, hours[hours.length - 1].start.slice(0, 13) + 'h');
  series.forEach((values, s) => {
    if (!values.some((v) => v > 0)) return;
    add('polyline', {fill: 'none', stroke: COLOURS[s], 'stroke-width': 2, points: values.map((v, i) => `${x(i)},${y(v)}`).join(' ')});
    add('text', {x: width - pad + 4, y: pad + 12 * s, 'font-size': 10, fill: COLOURS[s]}, (keys.concat(['other']))[s]);
  });
  return svg;
}
