// Console page-load benchmark, the browser half (bench/console_bench.sh runs it).
//
//   node bench/console_page_load.mjs BASE_URL USER PASSWORD RUNS OUT.json [PAGES.json]
//
// Signs in once through the login page, then for each page (name + console
// path): RUNS warm loads in that signed-in context (a full navigation each
// time, the browser cache kept) and one cold load (a new context with the
// same session cookie and an empty cache). A page's time is from navigation
// start (performance.timeOrigin) to the moment its root
// [data-testid=page-<name>] first gets data-ready="1", i.e. its first query's
// answer is rendered; a MutationObserver installed before any page script
// stamps it with performance.now(). After each load the benchmark waits until
// the page's API requests have all ended (so a slow late request of one run
// does not delay the next) and records them: URL, status, browser-side
// duration, and whether the page waited for it (ended before data-ready).
// Writes OUT.json: {viewport, runs, pages: [{name, path, warm_ms[], cold_ms,
// settled_ms[], requests[], errors[]}]}.
//
// playwright-core from test/browser/node_modules (PLAYWRIGHT_CORE overrides),
// Chromium from /usr/bin/chromium (CHROMIUM overrides), 1366x768.
import { writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const pwPath = process.env.PLAYWRIGHT_CORE
  || path.join(here, '..', 'test', 'browser', 'node_modules', 'playwright-core', 'index.mjs');
const { chromium } = await import(pwPath);

const [base, user, password, runsArg, out, pagesFile] = process.argv.slice(2);
if (!base || !user || !password || !out) {
  console.error('usage: console_page_load.mjs BASE_URL USER PASSWORD RUNS OUT.json [PAGES.json]');
  process.exit(2);
}
const RUNS = Number(runsArg || 11);
const PAGES = pagesFile ? JSON.parse(readFileSync(pagesFile, 'utf8')) : [
  { name: 'dashboard', testid: 'page-dashboard', path: '/console/' },
  { name: 'hunt_query', testid: 'page-hunt', path: '/console/hunt?q=ip%3A192.168.199.1' },
  { name: 'hunt_all', testid: 'page-hunt', path: '/console/hunt' },
  { name: 'alerts', testid: 'page-alerts', path: '/console/alerts' },
  { name: 'pcap', testid: 'page-pcap', path: '/console/pcap?host=10.7.77.9' },
  { name: 'intel', testid: 'page-intel', path: '/console/intel' },
  { name: 'system', testid: 'page-system', path: '/console/system' },
];
const VIEWPORT = { width: 1366, height: 768 };
const READY_TIMEOUT_MS = Number(process.env.READY_TIMEOUT_MS || 60000);
const SETTLE_TIMEOUT_MS = Number(process.env.SETTLE_TIMEOUT_MS || 60000);

// Runs in the page before its own scripts: stamps the first data-ready="1" of
// a page root (and which root it was).
function readyObserver() {
  window.__benchReady = null;
  const check = () => {
    if (window.__benchReady) return;
    const el = document.querySelector('[data-testid^="page-"][data-ready="1"]');
    if (el) window.__benchReady = { t: performance.now(), testid: el.dataset.testid };
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'],
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});

// Tracks the /api/ requests of one page: start/end (ms since the page's
// navigation start, from Playwright's timing), status, whether it failed.
function trackRequests(page) {
  const reqs = [];
  let pending = 0;
  let idleResolve = null;
  const done = (r, status, failed) => {
    const rec = reqs.find((x) => x.req === r);
    if (!rec || rec.end !== undefined) return;
    const t = r.timing();
    rec.t0 = t.startTime;          // epoch ms
    rec.ms = t.responseEnd >= 0 ? t.responseEnd : null;
    rec.status = status;
    rec.failed = failed;
    pending -= 1;
    if (pending === 0 && idleResolve) idleResolve();
  };
  page.on('request', (r) => {
    if (!new URL(r.url()).pathname.startsWith('/api/')) return;
    reqs.push({ req: r, t0: Date.now() });
    pending += 1;
  });
  page.on('requestfinished', async (r) => {
    let status = 0;
    try { status = (await r.response())?.status() ?? 0; } catch { /* gone */ }
    done(r, status, false);
  });
  page.on('requestfailed', (r) => done(r, 0, true));
  return {
    reset() { reqs.length = 0; pending = 0; },
    idle(timeoutMs) {
      if (pending === 0) return Promise.resolve(true);
      return Promise.race([
        new Promise((res) => { idleResolve = () => res(true); }),
        new Promise((res) => setTimeout(() => res(false), timeoutMs)),
      ]).finally(() => { idleResolve = null; });
    },
    list(timeOrigin, readyMs) {
      return reqs.map((x) => {
        const u = new URL(x.req.url());
        const startMs = x.t0 - timeOrigin;
        const endMs = x.ms !== null && x.ms !== undefined ? startMs + x.ms : null;
        return {
          method: x.req.method(), path: u.pathname + u.search, status: x.status, failed: !!x.failed,
          start_ms: Math.round(startMs), ms: x.ms !== null && x.ms !== undefined ? Math.round(x.ms * 10) / 10 : null,
          // Ended before data-ready: the page waited for it (its first answer).
          before_ready: readyMs !== null && endMs !== null && endMs <= readyMs + 5,
        };
      });
    },
  };
}

async function newPage(context, errors) {
  const page = await context.newPage();
  await page.addInitScript(readyObserver);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return page;
}

// One load of spec.path in page: {ready_ms, settled_ms, requests}.
async function loadOnce(page, tracker, spec, errors) {
  tracker.reset();
  await page.goto('about:blank');
  await page.goto(base + spec.path, { waitUntil: 'commit' });
  let ready = null;
  try {
    await page.waitForFunction(() => window.__benchReady, null, { timeout: READY_TIMEOUT_MS, polling: 10 });
    ready = await page.evaluate(() => window.__benchReady);
  } catch (e) {
    errors.push(`${spec.name}: no data-ready="1" within ${READY_TIMEOUT_MS} ms (url ${page.url()})`);
  }
  if (ready && ready.testid !== spec.testid) {
    errors.push(`${spec.name}: ${ready.testid} became ready, expected ${spec.testid} (url ${page.url()})`);
    ready = null;
  }
  const settledOk = await tracker.idle(SETTLE_TIMEOUT_MS);
  const [settled, timeOrigin] = await page.evaluate(() => [performance.now(), performance.timeOrigin]);
  if (!settledOk) errors.push(`${spec.name}: API requests still pending after ${SETTLE_TIMEOUT_MS} ms`);
  const readyMs = ready ? ready.t : null;
  return { ready_ms: readyMs, settled_ms: settled, requests: tracker.list(timeOrigin, readyMs) };
}

const result = { base, viewport: VIEWPORT, runs: RUNS, started: new Date().toISOString(), pages: [] };

// Sign in once through the login page.
const signinErrors = [];
const context = await browser.newContext({ viewport: VIEWPORT });
const page = await newPage(context, signinErrors);
await page.goto(`${base}/console/login`);
await page.fill('[data-testid=login-user]', user);
await page.fill('[data-testid=login-password]', password);
await page.click('[data-testid=login-submit]');
await page.waitForFunction(() => !location.pathname.endsWith('/login'), null, { timeout: 30000 });
const storage = await context.storageState();
const tracker = trackRequests(page);

for (const spec of PAGES) {
  const errors = [];
  const rec = { name: spec.name, path: spec.path, warm_ms: [], settled_ms: [], cold_ms: null, requests: [], errors };
  // One unmeasured load first: the browser cache and the daemon's page cache warm up.
  await loadOnce(page, tracker, spec, errors);
  for (let i = 0; i < RUNS; i++) {
    const r = await loadOnce(page, tracker, spec, errors);
    if (r.ready_ms !== null) rec.warm_ms.push(Math.round(r.ready_ms * 10) / 10);
    rec.settled_ms.push(Math.round(r.settled_ms * 10) / 10);
    rec.requests = r.requests;     // the last run's
  }
  // Cold: a new context (empty cache), the same session cookie.
  const coldCtx = await browser.newContext({ viewport: VIEWPORT, storageState: storage });
  const coldPage = await newPage(coldCtx, errors);
  const coldTracker = trackRequests(coldPage);
  const c = await loadOnce(coldPage, coldTracker, spec, errors);
  rec.cold_ms = c.ready_ms !== null ? Math.round(c.ready_ms * 10) / 10 : null;
  rec.cold_requests = c.requests;
  await coldCtx.close();
  result.pages.push(rec);
  const med = [...rec.warm_ms].sort((a, b) => a - b)[Math.floor(rec.warm_ms.length / 2)];
  console.error(`${spec.name}: warm median ${med} ms, cold ${rec.cold_ms} ms, ${rec.requests.length} API requests, ${errors.length} errors`);
}
result.signin_errors = signinErrors;
await browser.close();
writeFileSync(out, JSON.stringify(result, null, 1));
