// Small charts for the console: a time-series line chart (SVG, UTC axis,
// hover readout) and horizontal bars for top-N lists. Each chart keeps a
// fixed height whatever its data, so panels never jump while they load, and
// redraws itself to its container's width (ResizeObserver) so text stays
// crisp instead of being stretched by a viewBox.
import { h, svg, clear } from './dom.js';
import { fmtTime, fmtCompact } from './format.js';

export const PALETTE = ['#4ea1ff', '#3fb950', '#f0883e', '#d2a8ff', '#f85149', '#d29922', '#56d4dd', '#8a96a6'];

const MARGIN = { top: 8, right: 12, bottom: 20, left: 64 };

// Round step sizes for the Y axis: 1, 2, 5 × 10^n.
function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

// UTC tick steps a person reads easily: whole seconds, minutes, hours, days.
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
  172800, 604800].map((s) => s * 1000);

function timeTicks(t0, t1, maxTicks) {
  const span = t1 - t0;
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) || TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return { ticks, step };
}

function tickLabel(t, step) {
  const iso = new Date(t).toISOString();
  if (step >= 86400000) return iso.slice(5, 10);
  if (step < 60000) return iso.slice(11, 19);
  return iso.slice(11, 16);
}

// lineChart({series: [{name, points: [[timeMs, value], …]}], format, height,
//            domain: [t0Ms, t1Ms] (optional), empty: 'text when no points'})
// → an element. `format` turns a Y value into text with its unit; it labels
// the Y axis and the readout.
export function lineChart({ series = [], format = fmtCompact, height = 150, domain = null, empty = 'No data yet',
  label = '' } = {}) {
  // `height` is for the 13 px root font; 4K screens (16 px) get a taller chart.
  const rootPx = parseFloat(getComputedStyle(document.documentElement).fontSize) || 13;
  const H = Math.round(height * (rootPx / 13));
  const readout = h('div', { class: 'chart-readout', 'aria-live': 'off' });
  const legend = h('div', { class: 'chart-legend' },
    series.length > 1 ? series.map((s, i) => h('span', { class: 'chart-key' },
      h('i', { class: 'chart-swatch', style: { background: s.color || PALETTE[i % PALETTE.length] } }), s.name)) : null);
  const area = h('div', { class: 'chart-area', style: { height: `${H}px` } });
  const wrap = h('div', { class: 'chart', role: 'img', 'aria-label': label || null }, readout, area, legend);

  const all = series.flatMap((s) => s.points);
  let t0 = domain ? domain[0] : Math.min(...all.map((p) => p[0]));
  let t1 = domain ? domain[1] : Math.max(...all.map((p) => p[0]));
  if (!(t1 > t0)) { t0 = (t0 || Date.now()) - 60000; t1 = t0 + 60000; }
  const vmax = Math.max(0, ...all.map((p) => p[1]).filter(Number.isFinite));
  const step = niceStep(vmax || 1, 3);
  const ymax = Math.max(step, Math.ceil(vmax / step) * step);
  const times = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);

  function idle() {
    readout.textContent = all.length
      ? `latest ${fmtTime(new Date(times[times.length - 1]), { ms: false })}: ${series.map((s) => {
        const last = s.points[s.points.length - 1];
        return `${series.length > 1 ? `${s.name} ` : ''}${last ? format(last[1]) : '–'}`;
      }).join(' · ')}`
      : '';
  }

  function draw(width) {
    clear(area);
    if (!all.length) { area.append(h('div', { class: 'chart-empty muted' }, empty)); return; }
    const w = Math.max(120, width);
    // Text follows the root font size (13 px, 16 px on 4K screens), so margins do too.
    const fs = 0.85 * (parseFloat(getComputedStyle(document.documentElement).fontSize) || 13);
    const yLabels = [];
    for (let v = 0; v <= ymax + step / 2; v += step) yLabels.push([v, format(v)]);
    // Room for the longest Y label (about 6.5 px a character at 11 px).
    const left = Math.max(40, 10 + 0.6 * fs * Math.max(...yLabels.map(([, t]) => t.length)));
    const M = { ...MARGIN, left, bottom: Math.round(fs + 9) };
    const iw = w - M.left - M.right;
    const ih = H - M.top - M.bottom;
    const x = (t) => M.left + ((t - t0) / (t1 - t0)) * iw;
    const y = (v) => M.top + ih - (Math.min(v, ymax) / ymax) * ih;
    const root = svg('svg', { class: 'chart', width: w, height: H, viewBox: `0 0 ${w} ${H}` });
    for (const [v, text] of yLabels) {
      root.append(svg('line', { class: 'grid', x1: M.left, x2: w - M.right, y1: y(v), y2: y(v) }),
        svg('text', { x: M.left - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, text));
    }
    const { ticks, step: tstep } = timeTicks(t0, t1, Math.max(2, Math.floor(iw / 70)));
    for (const t of ticks) {
      root.append(svg('line', { class: 'axis', x1: x(t), x2: x(t), y1: M.top + ih, y2: M.top + ih + 4 }),
        svg('text', { x: x(t), y: H - 4, 'text-anchor': 'middle' }, tickLabel(t, tstep)));
    }
    root.append(svg('text', { x: 2, y: H - 4 }, 'UTC'),
      svg('line', { class: 'axis', x1: M.left, x2: w - M.right, y1: M.top + ih, y2: M.top + ih }));
    series.forEach((s, i) => {
      const color = s.color || PALETTE[i % PALETTE.length];
      const pts = s.points.filter((p) => Number.isFinite(p[1]));
      if (!pts.length) return;
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
      root.append(svg('path', { class: 'series', d, stroke: color }));
      if (pts.length === 1) root.append(svg('circle', { cx: x(pts[0][0]), cy: y(pts[0][1]), r: 2.5, fill: color }));
    });
    const cursor = svg('line', { class: 'cursor', x1: 0, x2: 0, y1: M.top, y2: M.top + ih, visibility: 'hidden' });
    const dots = series.map((s, i) => svg('circle', { r: 3, fill: s.color || PALETTE[i % PALETTE.length], visibility: 'hidden' }));
    root.append(cursor, ...dots);
    // One transparent rectangle catches the pointer for the readout.
    const hit = svg('rect', { class: 'hit', x: M.left, y: M.top, width: iw, height: ih });
    hit.addEventListener('mousemove', (e) => {
      const box = root.getBoundingClientRect();
      const t = t0 + ((e.clientX - box.left - M.left) / iw) * (t1 - t0);
      let best = times[0];
      for (const tt of times) if (Math.abs(tt - t) < Math.abs(best - t)) best = tt;
      cursor.setAttribute('x1', x(best)); cursor.setAttribute('x2', x(best));
      cursor.setAttribute('visibility', 'visible');
      const parts = series.map((s, i) => {
        const p = s.points.find((q) => q[0] === best);
        if (p && Number.isFinite(p[1])) {
          dots[i].setAttribute('cx', x(best)); dots[i].setAttribute('cy', y(p[1]));
          dots[i].setAttribute('visibility', 'visible');
        } else dots[i].setAttribute('visibility', 'hidden');
        return `${series.length > 1 ? `${s.name} ` : ''}${p ? format(p[1]) : '–'}`;
      });
      readout.textContent = `${fmtTime(new Date(best), { ms: false })}: ${parts.join(' · ')}`;
    });
    hit.addEventListener('mouseleave', () => {
      cursor.setAttribute('visibility', 'hidden');
      dots.forEach((d) => d.setAttribute('visibility', 'hidden'));
      idle();
    });
    root.append(hit);
    area.append(root);
  }

  idle();
  let lastWidth = -1;
  const ro = new ResizeObserver(() => {
    const width = Math.floor(area.clientWidth);
    if (width && width !== lastWidth) { lastWidth = width; draw(width); }
  });
  ro.observe(area);
  // Drawn once at once when already attached elsewhere; otherwise on first layout.
  requestAnimationFrame(() => { if (lastWidth < 0 && area.clientWidth) { lastWidth = area.clientWidth; draw(lastWidth); } });
  wrap.dispose = () => ro.disconnect();
  return wrap;
}

// barChart({items: [{label, value, href, title}], format, rows, empty})
// → horizontal bars, one row per item, longest first as given. A row with
// an href is a link (keyboard focusable). `rows` reserves that many rows of
// height so a short list does not shrink the panel.
export function barChart({ items = [], format = fmtCompact, rows = 10, empty = 'Nothing in this range' } = {}) {
  const max = Math.max(0, ...items.map((i) => Number(i.value) || 0));
  const list = h('ol', { class: 'bars', style: { minHeight: `${rows * 1.6}rem` } },
    items.length ? items.map((it) => {
      const pct = max ? Math.max(0.5, ((Number(it.value) || 0) / max) * 100) : 0;
      const bar = h('span', { class: 'bar-fill', style: { width: `${pct}%` } });
      const inner = [h('span', { class: 'bar-label', title: it.title || it.label }, it.label),
        h('span', { class: 'bar-track' }, bar), h('span', { class: 'bar-value' }, format(it.value))];
      return h('li', { class: 'bar-row', 'data-testid': it.testid || null, 'data-value': it.dataValue ?? null },
        it.href ? h('a', { href: it.href, class: 'bar-link', title: it.title || null }, inner) : h('span', { class: 'bar-link' }, inner));
    }) : h('li', { class: 'muted bars-empty' }, empty));
  return list;
}
