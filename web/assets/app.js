// The console's shell: who is signed in, which page is shown, and the URL.
// Every page is a module under pages/ exporting
//   mount(root, ctx) -> { update?(params), unmount?() }
// Its whole state lives in the URL's query string (ctx.params), so links can
// be shared and the back button works: a page changes state with
// ctx.setParams(), which pushes a history entry and calls its update().
import { apiGet, apiSend, setCsrfToken } from './lib/api.js';
import { clear, h } from './lib/dom.js';

const BASE = '/console';
const PAGES = {
  '': 'dashboard', hunt: 'hunt', alerts: 'alerts', pcap: 'pcap', intel: 'intel', system: 'system', login: 'login',
};

const view = document.getElementById('view');
const topbar = document.getElementById('topbar');
const banner = document.getElementById('banner');
let current = null;      // { name, instance }
let user = null;         // GET /api/v1/auth/me, once signed in
let mountSeq = 0;

function pageName(pathname) {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '') : '';
  return Object.prototype.hasOwnProperty.call(PAGES, rest) ? PAGES[rest] : null;
}

function pathFor(name) {
  return name === 'dashboard' ? `${BASE}/` : `${BASE}/${name}`;
}

function showBanner(message) {
  banner.textContent = message || '';
  banner.hidden = !message;
}

function urlFor(name, params) {
  const qs = params instanceof URLSearchParams ? params.toString() : new URLSearchParams(
    Object.entries(params || {}).filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
  return pathFor(name) + (qs ? `?${qs}` : '');
}

function makeCtx(name) {
  return {
    get params() { return new URLSearchParams(location.search); },
    get user() { return user; },
    navigate(target, params = {}, { replace = false } = {}) {
      const url = urlFor(target, params);
      history[replace ? 'replaceState' : 'pushState'](null, '', url);
      route();
    },
    // Same page, new state: a history entry, then the page's update().
    setParams(params, { replace = false } = {}) {
      const url = urlFor(name, params);
      if (url === location.pathname + location.search) return;
      history[replace ? 'replaceState' : 'pushState'](null, '', url);
      route();
    },
    // A console URL (path and query), e.g. the `next` of the sign-in page.
    go(url, { replace = false } = {}) {
      const u = new URL(url, location.origin);
      const safe = u.origin === location.origin && u.pathname.startsWith(BASE) ? u.pathname + u.search : `${BASE}/`;
      history[replace ? 'replaceState' : 'pushState'](null, '', safe);
      route();
    },
    banner: showBanner,
    reloadUser: loadUser,
  };
}

async function loadUser() {
  try {
    user = await apiGet('/api/v1/auth/me');
    setCsrfToken(user.csrf_token);
  } catch (e) {
    user = null;
    if (e.status !== 401) showBanner(`Cannot reach the daemon: ${e.message}`);
  }
  document.getElementById('who').textContent = user ? `${user.user || 'anonymous'} · ${user.role}` : '';
  return user;
}

async function route() {
  const name = pageName(location.pathname);
  if (!name) { history.replaceState(null, '', `${BASE}/`); return route(); }
  if (name !== 'login' && !user && !(await loadUser())) {
    const next = location.pathname + location.search;
    history.replaceState(null, '', urlFor('login', { next }));
    return route();
  }
  topbar.hidden = name === 'login';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === name);
  if (current && current.name === name && current.instance && current.instance.update) {
    await current.instance.update(new URLSearchParams(location.search));
    return undefined;
  }
  if (current && current.instance && current.instance.unmount) current.instance.unmount();
  current = null;
  showBanner('');
  const seq = ++mountSeq;
  clear(view);
  view.dataset.page = name;
  document.title = `OpenSOC · ${name[0].toUpperCase()}${name.slice(1)}`;
  try {
    const mod = await import(`./pages/${name}.js`);
    if (seq !== mountSeq) return undefined;
    const root = h('div', { class: `page page-${name}`, 'data-testid': `page-${name}` });
    view.append(root);
    const instance = (await mod.mount(root, makeCtx(name))) || {};
    if (seq !== mountSeq) { if (instance.unmount) instance.unmount(); return undefined; }
    current = { name, instance };
  } catch (e) {
    view.append(h('div', { class: 'error-box', role: 'alert' }, `This page failed to load: ${e.message}`));
  }
  return undefined;
}

// In-app links (<a data-nav href="/console/…">) change the page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE) || a.hasAttribute('download')) return;
  e.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  route();
});

window.addEventListener('popstate', route);
window.addEventListener('opensoc:unauthorized', () => {
  // Only a session that ended under a signed-in user; the first /auth/me of a
  // visit answers 401 too, and route() handles that itself.
  if (pageName(location.pathname) === 'login' || !user) return;
  user = null;
  const next = location.pathname + location.search;
  history.replaceState(null, '', urlFor('login', { next, expired: '1' }));
  route();
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await apiSend('POST', '/api/v1/auth/logout', {}); } catch { /* signed out either way */ }
  user = null;
  setCsrfToken('');
  history.pushState(null, '', urlFor('login', {}));
  route();
});

// Keyboard: "/" focuses the page's query field, "g" then a letter goes to a page.
let chord = false;
document.addEventListener('keydown', (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '');
  if (typing || e.metaKey || e.ctrlKey || e.altKey) return;
  if (e.key === '/') {
    const q = view.querySelector('[data-query-input]');
    if (q) { e.preventDefault(); q.focus(); }
    return;
  }
  if (chord) {
    chord = false;
    const target = { d: 'dashboard', h: 'hunt', a: 'alerts', p: 'pcap', i: 'intel', s: 'system' }[e.key];
    if (target && user) { e.preventDefault(); makeCtx(target).navigate(target); }
    return;
  }
  if (e.key === 'g') { chord = true; setTimeout(() => { chord = false; }, 1500); }
});

route();
