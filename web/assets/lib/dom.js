// A tiny element builder: h('div', {class: 'x', onclick: f}, child, …).
// Children may be strings, numbers, nodes, arrays or null (skipped). Text is
// always set as text, never parsed as HTML, so record values from the
// network cannot inject markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'selected') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// An SVG element (charts): attributes set verbatim.
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A panel with a title and a body that keeps its height while loading, so
// the page does not jump when data arrives.
export function panel(title, body, { id, actions } = {}) {
  return h('section', { class: 'panel', id, 'data-testid': id ? `panel-${id}` : null },
    h('header', {}, h('h2', {}, title), actions ? h('div', { class: 'actions' }, actions) : null),
    h('div', { class: 'panel-body' }, body));
}

// An error shown plainly where the data would have been.
export function errorBox(err) {
  const msg = err && err.message ? err.message : String(err);
  const status = err && err.status ? ` (HTTP ${err.status})` : '';
  return h('div', { class: 'error-box', role: 'alert', 'data-testid': 'error' }, msg + status);
}
