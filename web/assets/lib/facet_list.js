// Facet lists beside the results: the top values of a field over every match
// (from the same search answer), each with its count, a click to narrow the
// query to it and a button to exclude it.
import { h } from './dom.js';
import { fmtCount } from './format.js';

export const FACET_LABELS = {
  'network.protocol': 'Protocol',
  'network.transport': 'Transport',
  'destination.port': 'Destination port',
  'source.ip': 'Source IP',
  'destination.ip': 'Destination IP',
  'destination.geo.country_iso_code': 'Destination country',
  'source.geo.country_iso_code': 'Source country',
  'event.dataset': 'Dataset',
  'dns.question.name': 'DNS name',
  'tls.client.server_name': 'TLS SNI',
  'host.hostname': 'Host',
  'process.name': 'Program',
  'log.syslog.severity.name': 'Severity',
  'log.parser': 'Parser',
  'observer.vendor': 'Vendor',
  'network.direction': 'Direction',
};

// facetList(field, values [{value, count}], total, {onInclude(field, value), onExclude(field, value)})
export function facetList(field, values, total, { onInclude, onExclude }) {
  const max = Math.max(1, ...values.map((v) => v.count));
  const rows = values.map(({ value, count }) => {
    const v = String(value);
    const bar = h('span', { class: 'facet-bar' });
    // A property, not a style attribute: the console's CSP forbids inline styles.
    bar.style.width = `${Math.max(2, (count / max) * 100).toFixed(1)}%`;
    return h('li', { class: 'facet-value', 'data-testid': 'facet-value', 'data-field': field, 'data-value': v },
      bar,
      h('button', {
        type: 'button', class: 'facet-include link', 'data-testid': 'facet-include',
        title: `Add ${field}:${v} to the query`, onclick: () => onInclude(field, v),
      }, h('span', { class: 'val' }, v || '(empty)')),
      h('span', { class: 'count', title: total ? `${((count / total) * 100).toFixed(1)} % of matches` : null }, fmtCount(count)),
      h('button', {
        type: 'button', class: 'facet-exclude', 'data-testid': 'facet-exclude',
        title: `Exclude ${field}:${v}`, 'aria-label': `Exclude ${field} ${v}`, onclick: () => onExclude(field, v),
      }, '−'));
  });
  return h('section', { class: 'facet', 'data-testid': 'facet', 'data-field': field },
    h('h3', { title: field }, FACET_LABELS[field] || field),
    rows.length ? h('ul', {}, rows) : h('div', { class: 'muted empty' }, 'no values'));
}
