// The hits-over-time histogram of a search answer: SVG bars, UTC ticks, and
// zooming: a drag selects a span, a click zooms to one bar. It also picks the
// histogram interval for a range so there are about 60-120 buckets.
import { h, svg, clear } from './dom.js';
import { fmtCount, fmtTime } from './format.js';

const S = 1;
const M = 60;
const HR = 3600;
const D = 86400;
const STEPS = [1, 2, 5, 10, 15, 30, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, HR, 2 * HR, 3 * HR, 6 * HR, 12 * HR,
  D, 2 * D, 3 * D, 7 * D, 14 * D, 30 * D, 60 * D, 90 * D, 180 * D, 365 * D, 730 * D, 1825 * D].map((s) => s * S);

function intervalText(s) {
  if (s % D === 0) return `${s / D}d`;
  if (s % HR === 0) return `${s / HR}h`;
  if (s % M === 0) return `${s / M}m`;
  return `${s}s`;
}

// The smallest step giving at most 120 buckets over spanMs (the steps are at
// most ~2.3x apart, so that is at least ~50 and usually 60-120).
export function chooseInterval(spanMs) {
  const span = Math.max(1, spanMs / 1000);
  const step = STEPS.find((s) => span / s <= 120) || STEPS[STEPS.length - 1];
  return intervalText(step);
}

// A relative time as the API takes it ("1h ago", "now"), RFC 3339 or Unix
// seconds → ms since the epoch; NaN when unknown.
export function parseTimeParam(v, nowMs = Date.now()) {
  if (!v) return NaN;
  const t = v.trim();
  if (/^now$/i.test(t)) return nowMs;
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s+ago$/i.exec(t);
  if (rel) {
    const unit = { s: 1e3, m: 6e4, min: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[rel[2].toLowerCase()];
    return nowMs - Number(rel[1]) * unit;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  return Date.parse(t);
}

const HEIGHT = 84;
const PAD_B = 16;   // tick labels
const PAD_T = 4;

function tickLabel(ms, spanMs) {
  const iso = new Date(ms).toISOString();
  if (spanMs > 2 * 365 * 864e5) return iso.slice(0, 7);
  if (spanMs > 3 * 864e5) return iso.slice(0, 10);
  if (spanMs > 6 * 3.6e6) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 19);
}

// histogramView({onZoom(startMs, endMs)}) → {el, render(histogram|null, {from, to}|null), destroy()}
export function histogramView({ onZoom }) {
  const box = h('div', { class: 'histogram' });
  let data = null;
  let domain = null;
  let width = 0;

  function draw() {
    clear(box);
    width = box.clientWidth || 800;
    const buckets = (data && data.buckets) || [];
    const root = svg('svg', {
      class: 'chart hist', width, height: HEIGHT, viewBox: `0 0 ${width} ${HEIGHT}`,
      'data-testid': 'histogram', role: 'img',
      'aria-label': buckets.length ? `Hits over time, ${buckets.length} buckets of ${data.interval}` : 'No hits over time',
    });
    box.append(root);
    const plotH = HEIGHT - PAD_B - PAD_T;
    root.append(svg('line', { class: 'axis', x1: 0, x2: width, y1: PAD_T + plotH + 0.5, y2: PAD_T + plotH + 0.5 }));
    if (!buckets.length) {
      root.append(svg('text', { x: width / 2, y: HEIGHT / 2, 'text-anchor': 'middle' }, data ? 'no hits' : ''));
      return;
    }
    const stepMs = (data.interval_ns || 0) / 1e6 || ((buckets[1]?.start_ns - buckets[0].start_ns) / 1e6) || 1000;
    // The daemon answers buckets only where the data is; the x axis is the
    // asked range when it is known, so a zoom shows where in it the hits are.
    let t0 = buckets[0].start_ns / 1e6;
    let t1 = buckets[buckets.length - 1].start_ns / 1e6 + stepMs;
    if (domain && Number.isFinite(domain.from) && Number.isFinite(domain.to) && domain.to > domain.from) {
      t0 = Math.floor(Math.min(t0, domain.from) / stepMs) * stepMs;
      t1 = Math.max(t1, domain.to);
    }
    const span = t1 - t0;
    const x = (ms) => ((ms - t0) / span) * width;
    const max = Math.max(1, ...buckets.map((b) => b.count));
    const bw = (stepMs / span) * width;
    const gap = bw > 4 ? 1 : 0;
    const bars = svg('g', { class: 'bars' });
    buckets.forEach((b) => {
      const bh = b.count ? Math.max(2, (b.count / max) * plotH) : 0;
      const startMs = b.start_ns / 1e6;
      const rect = svg('rect', {
        x: x(startMs).toFixed(2), y: (PAD_T + plotH - bh).toFixed(2), width: Math.max(1, bw - gap).toFixed(2),
        height: bh.toFixed(2), class: 'bar', 'data-start': b.start, 'data-count': b.count,
      }, svg('title', {}, `${fmtTime(startMs, { ms: false })} + ${data.interval}: ${fmtCount(b.count)} hits`));
      bars.append(rect);
    });
    root.append(bars);
    const ticks = Math.max(2, Math.min(8, Math.floor(width / 140)));
    for (let i = 0; i < ticks; i += 1) {
      const ms = t0 + (span * (i + 0.5)) / ticks;
      root.append(svg('text', { x: x(ms), y: HEIGHT - 3, 'text-anchor': 'middle' }, tickLabel(ms, span)));
    }
    root.append(svg('text', { x: width - 2, y: PAD_T + 10, 'text-anchor': 'end', class: 'max' }, `max ${fmtCount(max)} / ${data.interval}`));
    const sel = svg('rect', { class: 'selection', x: 0, y: PAD_T, width: 0, height: plotH, visibility: 'hidden' });
    root.append(sel);

    // Drag to select a span, click to zoom to a bar; a click is resolved by
    // position, so empty and tiny buckets are as easy to hit as tall ones.
    let downX = null;
    const px = (e) => Math.max(0, Math.min(width, e.clientX - root.getBoundingClientRect().left));
    const toMs = (p) => t0 + (p / width) * span;
    root.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      downX = px(e);
      root.setPointerCapture?.(e.pointerId);
      e.preventDefault();
    });
    root.addEventListener('pointermove', (e) => {
      if (downX === null) return;
      const p = px(e);
      sel.setAttribute('x', Math.min(p, downX));
      sel.setAttribute('width', Math.abs(p - downX));
      sel.setAttribute('visibility', 'visible');
    });
    const finish = (e, cancel) => {
      if (downX === null) return;
      const a = downX;
      downX = null;
      sel.setAttribute('visibility', 'hidden');
      if (cancel) return;
      const b = px(e);
      if (Math.abs(b - a) >= 4) {
        onZoom(toMs(Math.min(a, b)), toMs(Math.max(a, b)));
        return;
      }
      // The interval slot under the pointer (buckets are aligned to it).
      const s = t0 + Math.floor((toMs(b) - t0) / stepMs) * stepMs;
      onZoom(s, s + stepMs - 1);
    };
    root.addEventListener('pointerup', (e) => finish(e, false));
    root.addEventListener('pointercancel', (e) => finish(e, true));
  }

  // Redraw at the new width: the SVG is drawn in pixels so text stays crisp.
  const ro = new ResizeObserver(() => { if (box.clientWidth !== width) draw(); });
  ro.observe(box);

  return {
    el: box,
    // range: {from, to} in ms, the asked time range when known.
    render(histogram, range = null) { data = histogram; domain = range; draw(); },
    destroy() { ro.disconnect(); },
  };
}
