// Numbers with units and times in UTC (local time on hover), one way
// everywhere in the console. Sizes are decimal (1 MB = 10^6 bytes) and rates
// are bits per second, as capture and NIC vendors quote them.
import { h } from './dom.js';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

function scaled(n, base = 1000) {
  let v = Math.abs(Number(n) || 0);
  let i = 0;
  while (v >= base && i < SI.length - 1) { v /= base; i += 1; }
  // Whole numbers below 1000 stay whole (bytes, counts); fractions (rates,
  // axis ticks such as 0.5/s) keep their digits.
  const digits = v >= 100 || (i === 0 && Number.isInteger(v)) ? 0 : v >= 10 ? 1 : 2;
  return { text: (n < 0 ? '-' : '') + v.toFixed(digits), prefix: SI[i] };
}

export function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '–';
  const { text, prefix } = scaled(n);
  return `${text} ${prefix}B`;
}

export function fmtBitRate(bitsPerSecond) {
  const { text, prefix } = scaled(bitsPerSecond);
  return `${text} ${prefix}bit/s`;
}

export function fmtPacketRate(pps) {
  const { text, prefix } = scaled(pps);
  return `${text} ${prefix}pkt/s`;
}

export function fmtRate(perSecond, unit) {
  const { text, prefix } = scaled(perSecond);
  return `${text}${prefix ? ' ' + prefix : ''} ${unit}/s`;
}

export function fmtCount(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

export function fmtCompact(n) {
  const { text, prefix } = scaled(n);
  return `${text}${prefix}`;
}

// Nanoseconds since the epoch (number or string) or RFC 3339 text → Date.
export function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value > 1e14 ? value / 1e6 : value * 1000);
  if (typeof value === 'string' && /^\d+$/.test(value)) return toDate(Number(value));
  return new Date(value);
}

// "2023-08-23 21:20:48.335 UTC"; `ms` false drops the milliseconds.
export function fmtTime(value, { ms = true } = {}) {
  if (value === null || value === undefined || value === '') return '–';
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, ms ? 23 : 19)} UTC`;
}

export function fmtLocal(value) {
  const d = toDate(value);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toLocaleString(undefined, { hour12: false })} (local)`;
}

// A <time> element: UTC shown, local time on hover.
export function timeEl(value, opts) {
  const d = toDate(value);
  return h('time', {
    datetime: Number.isNaN(d.getTime()) ? null : d.toISOString(),
    title: fmtLocal(value),
  }, fmtTime(value, opts));
}

export function fmtDurationNs(ns) {
  const n = Number(ns) || 0;
  if (n < 1e3) return `${n} ns`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} ms`;
  return fmtDurationSeconds(n / 1e9);
}

export function fmtDurationSeconds(s) {
  const v = Number(s) || 0;
  if (v < 60) return `${v.toFixed(v < 10 ? 2 : 1)} s`;
  if (v < 3600) return `${Math.floor(v / 60)} min ${Math.floor(v % 60)} s`;
  if (v < 86400) return `${Math.floor(v / 3600)} h ${Math.floor((v % 3600) / 60)} min`;
  return `${Math.floor(v / 86400)} d ${Math.floor((v % 86400) / 3600)} h`;
}

// A dotted path out of a record: get(rec, 'source.ip').
export function getPath(obj, path) {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}
