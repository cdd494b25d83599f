// Side-by-side rendering of a unified diff (a/ = from, b/ = to).
import {h} from './dom.js';

/** [{name, rows: [{kind: 'hunk', text} | {left: {n, text, kind}|null, right: {n, text, kind}|null}]}] */
export function parseUnifiedDiff(text) {
  const files = [];
  let file = null;
  let oldN = 0;
  let newN = 0;
  let dels = [];
  let adds = [];
  const flush = () => {
    const count = Math.max(dels.length, adds.length);
    for (let i = 0; i < count; i++) file.rows.push({left: dels[i] || null, right: adds[i] || null});
    dels = [];
    adds = [];
  };
  const lines = String(text || '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ')) {
      if (file) flush();
      const from = line.slice(4).replace(/^a\//, '').trim();
      const to = lines[i + 1].slice(4).replace(/^b\//, '').trim();
      file = {name: from === to || to === '/dev/null' ? from : from === '/dev/null' ? to : `${from} → ${to}`, rows: []};
      files.push(file);
      i++;
      continue;
    }
    if (!file) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (hunk) {
      flush();
      oldN = Number(hunk[1]);
      newN = Number(hunk[2]);
      file.rows.push({kind: 'hunk', text: line});
    } else if (line.startsWith('-')) {
      dels.push({n: oldN++, text: line.slice(1), kind: 'del'});
    } else if (line.startsWith('+')) {
      adds.push({n: newN++, text: line.slice(1), kind: 'add'});
    } else if (line.startsWith(' ') || (line === '' && i < lines.length - 1)) {
      flush();
      const t = line.slice(1);
      file.rows.push({left: {n: oldN++, text: t, kind: 'ctx'}, right: {n: newN++, text: t, kind: 'ctx'}});
    } else if (line.startsWith('\\')) {
      // "\ No newline at end of file": nothing to show
    }
  }
  if (file) flush();
  return files;
}

function cells(side, label) {
  if (!side) return [h('td', {class: 'n empty'}), h('td', {class: 'code empty'})];
  const mark = side.kind === 'del' ? '− ' : side.kind === 'add' ? '+ ' : '';
  return [h('td', {class: 'n'}, String(side.n)),
    h('td', {class: `code ${side.kind}`}, side.kind === 'ctx' ? null : h('span', {class: 'sr-only'}, `${label}: `), mark, side.text)];
}

export function renderDiff(diffText, fromLabel, toLabel) {
  const files = parseUnifiedDiff(diffText);
  if (!files.length) return h('p', {class: 'muted'}, 'The two versions are identical.');
  return files.map((file) => h('table', {class: 'diff'},
    h('caption', {}, file.name),
    h('colgroup', {}, h('col', {class: 'n'}), h('col', {class: 'code'}), h('col', {class: 'n'}), h('col', {class: 'code'})),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col', colspan: 2}, fromLabel), h('th', {scope: 'col', colspan: 2}, toLabel))),
    h('tbody', {}, file.rows.map((r) => r.kind === 'hunk'
      ? h('tr', {class: 'hunk'}, h('td', {colspan: 4}, r.text))
      : h('tr', {}, cells(r.left, 'removed'), cells(r.right, 'added'))))));
}
