// The time range picker: relative presets ("last 1h") or an absolute UTC
// range. A range travels in the URL exactly as the API takes it: `start` and
// `end` are either absent (all data), relative ("1h ago", "now") or RFC 3339,
// so a shared link means the same range for whoever opens it (relative ones
// move with the clock, as an analyst expects).
import { h } from './dom.js';

export const PRESETS = [
  ['15m ago', 'Last 15 min'], ['1h ago', 'Last 1 h'], ['6h ago', 'Last 6 h'], ['24h ago', 'Last 24 h'],
  ['7d ago', 'Last 7 d'], ['30d ago', 'Last 30 d'], ['', 'All time'],
];

// {start, end} from URL parameters.
export function rangeFromParams(params) {
  return { start: params.get('start') || '', end: params.get('end') || '' };
}

// "2026-11-28T10:00:00Z" ↔ the text shown in the inputs ("2026-11-28 10:00:00").
function toInput(v) {
  if (!v || /ago|now/i.test(v)) return '';
  const d = /^\d+(\.\d+)?$/.test(v) ? new Date(Number(v) * 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().slice(0, 19).replace('T', ' ');
}

function fromInput(text) {
  const t = text.trim();
  if (!t) return '';
  if (/ago$|^now$/i.test(t)) return t;
  const iso = t.includes('T') ? t : t.replace(' ', 'T');
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: '${t}' (use YYYY-MM-DD HH:MM:SS, UTC)`);
  return d.toISOString().replace('.000Z', 'Z');
}

export function absoluteRange(startMs, endMs) {
  return {
    start: new Date(Math.floor(startMs)).toISOString(),
    end: new Date(Math.ceil(endMs)).toISOString(),
  };
}

// Label for a range, for titles.
export function describeRange({ start, end }) {
  const preset = PRESETS.find(([v]) => v === start && !end);
  if (preset) return preset[1];
  return `${toInput(start) || 'beginning'} → ${toInput(end) || 'now'} UTC`;
}

// The picker element. onChange({start, end}) fires when the user applies.
export function timeRangePicker(range, onChange) {
  const isPreset = PRESETS.some(([v]) => v === range.start) && !range.end;
  const select = h('select', { 'data-testid': 'time-preset', 'aria-label': 'Time range' },
    PRESETS.map(([v, label]) => h('option', { value: v, selected: isPreset && v === range.start }, label)),
    h('option', { value: 'custom', selected: !isPreset }, 'Custom (UTC)…'));
  const from = h('input', { type: 'text', class: 'time-input', placeholder: 'from (UTC)', 'data-testid': 'time-start',
    value: toInput(range.start), 'aria-label': 'From (UTC)' });
  const to = h('input', { type: 'text', class: 'time-input', placeholder: 'to (UTC)', 'data-testid': 'time-end',
    value: toInput(range.end), 'aria-label': 'To (UTC)' });
  const err = h('span', { class: 'inline-error' });
  const custom = h('span', { class: 'custom-range', hidden: isPreset }, from, ' – ', to,
    h('button', { type: 'button', 'data-testid': 'time-apply', onclick: apply }, 'Apply'), err);
  function apply() {
    try {
      err.textContent = '';
      onChange({ start: fromInput(from.value), end: fromInput(to.value) });
    } catch (e) { err.textContent = e.message; }
  }
  for (const input of [from, to]) input.addEventListener('keydown', (e) => { if (e.key === 'Enter') apply(); });
  select.addEventListener('change', () => {
    if (select.value === 'custom') { custom.hidden = false; from.focus(); return; }
    custom.hidden = true;
    onChange({ start: select.value, end: '' });
  });
  return h('span', { class: 'time-range', 'data-testid': 'time-range' }, select, custom);
}
