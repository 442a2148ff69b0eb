// The daemon's REST API as seen from the console: same-origin fetches that
// carry the session cookie, the CSRF header on every state change, and one
// error shape (ApiError) for every failure, so pages can show it plainly.
// The console never sees a password after sign-in: the cookie is HttpOnly.

let csrfToken = '';

export function setCsrfToken(token) { csrfToken = token || ''; }

export class ApiError extends Error {
  constructor(status, message, { parameter = '', position = null } = {}) {
    super(message);
    this.status = status;
    this.parameter = parameter;   // the request parameter the daemon blamed, e.g. "q"
    this.position = position;     // byte offset in q of a query error, when known
  }
}

// Query parameters: values that are null, undefined or '' are left out; an
// array repeats the key.
export function apiUrl(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
    else qs.append(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

// The daemon has two error bodies: {"error":"…","parameter","position"}
// (search) and {"error":{"status","message","parameter"}} (everything else).
async function toError(res) {
  let message = `${res.status} ${res.statusText}`;
  let detail = {};
  let body = null;
  try {
    body = await res.json();
    if (typeof body.error === 'string') {
      message = body.error;
      detail = { parameter: body.parameter || '', position: body.position ?? null };
    } else if (body.error && typeof body.error === 'object') {
      message = body.error.message || message;
      detail = { parameter: body.error.parameter || '', position: body.error.position ?? null };
    }
  } catch { /* not JSON: keep the status line */ }
  if (res.status === 401) window.dispatchEvent(new CustomEvent('opensoc:unauthorized'));
  const err = new ApiError(res.status, message, detail);
  // The whole answer, for endpoints whose error is a report (POST /reload's 422).
  err.body = body;
  return err;
}

async function request(method, path, { params, body, signal, raw = false } = {}) {
  const headers = {};
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) {
      payload = body;
      headers['Content-Type'] = 'text/plain';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(apiUrl(path, params), { method, headers, body: payload, signal, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `cannot reach the daemon: ${e.message}`);
  }
  if (!res.ok) throw await toError(res);
  if (raw) return res;
  const text = await res.text();
  if (!text) return {};
  try { return JSON.parse(text); } catch { return text; }
}

export const apiGet = (path, params, opts = {}) => request('GET', path, { ...opts, params });
export const apiSend = (method, path, body, opts = {}) => request(method, path, { ...opts, body });
export const apiRaw = (method, path, opts = {}) => request(method, path, { ...opts, raw: true });
