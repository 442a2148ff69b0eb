#!/usr/bin/env python3
"""The authorisation matrix (issue 7, "How it must be shown", first bullet)
against the real daemon with auth on: `opensocd run` replays demo/demo.pcap
through DPDK's net_pcap device with the packet store, sessions search, the
demo's rules and intel and API ingest on; users and tokens are made with the
`opensocd user` CLI before it starts.

1. Every route of src/api/router.cpp plus the auth, users, tokens and audit
   routes, with each method they accept, × (no credentials, wrong password,
   expired session, viewer / analyst / admin session cookie, analyst token,
   revoked token): 401 for the first three and the revoked token, 403 for a
   role below the route's (src/auth/auth_service.hpp), else 2xx, with bodies
   that make each handler succeed. Printed as a table.
2. CSRF: a cookie request with an unsafe method and no / a wrong
   X-CSRF-Token is 403; logout ends the session.
3. The failed-login limiter: 6 wrong passwords from one source address
   (127.0.0.2) → the 6th is 429 with Retry-After, the right password from it
   too, while 127.0.0.1 still signs in.
4. Per-user scope: a viewer scoped to one host sees only sessions with it; a
   scoped analyst's PCAP holds only its packets (tshark is the oracle).
5. The audit file: sign-ins ok/failed with user and source, token.use with
   the token id, pcap with its query and byte count, alert.update; read back
   through GET /api/v1/audit.
6. No password used anywhere appears in the daemon's output, the audit file,
   the users file, any file under data_dir, the CLI's output or any response
   body.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import http.client
import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, args, demo_like_config, free_port, get_path, read_pcap,  # noqa: E402
                     run, search_store_yaml, temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("auth-matrix")
PCAP = os.path.join(root, "demo", "demo.pcap")
DEMO = os.path.join(root, "demo")
SCOPE_HOST = "65.208.228.223"   # the demo's HTTP server: some sessions, not all
# PCAP queries carry an explicit start: demo.pcap's packets are from 2004 to
# 2023, and a query without start/end covers only store.default_window_s up
# to the newest stored packet (README, "A query with no time bound").
SINCE = "start=2000-01-01T00:00:00Z"

PASSWORDS = {
    "viewer1": "Vw-pass-7c1e9a!x",
    "analyst1": "An-pass-3f0b2d?y",
    "admin1": "Ad-pass-9e4c61#z",
    "scopedv": "Sv-pass-51aa7e%q",
    "scopeda": "Sa-pass-c2d8f0&r",
}
WRONG_PASSWORD = "Wr-pass-0d9e3b~w"
API_USER_PASSWORD = "Mx-pass-6b7a21^k"  # users made through POST /api/v1/users
ALL_SECRETS = list(PASSWORDS.values()) + [WRONG_PASSWORD, API_USER_PASSWORD]
CREDS = ["none", "wrong-pw", "expired", "viewer", "analyst", "admin", "token", "revoked"]
RANK = {"viewer": 0, "analyst": 1, "admin": 2, "token": 1}
UNAUTHENTICATED = {"none", "wrong-pw", "expired", "revoked"}
UNSAFE = {"POST", "PATCH", "PUT", "DELETE"}

BODIES = []  # every response body, for the password check


# ------------------------------------------------------------------ HTTP ---

class Http:
    """One request per connection, optionally from another loopback address."""

    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None, source="127.0.0.1", timeout=60):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else (json.dumps(body).encode() if not isinstance(body, str)
                                                         else body.encode())
            h.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            BODIES.append(raw)
            return r.status, r.getheaders(), raw
        except (OSError, http.client.HTTPException) as e:
            return None, [], str(e).encode()
        finally:
            conn.close()


def header(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def all_headers(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def as_json(raw):
    try:
        return json.loads(raw)
    except ValueError:
        return None


class Sessions:
    """Console sessions per user, renewed before the (short) session_ttl ends."""

    def __init__(self, http, ttl_s, cookie_name="opensoc_session"):
        self.http, self.ttl_s, self.cookie_name = http, ttl_s, cookie_name
        self.cache = {}

    def login(self, user, password, source="127.0.0.1"):
        """(status, headers, body json, cookie value or None, csrf or None)."""
        st, hs, raw = self.http.request("POST", "/api/v1/auth/login", {"user": user, "password": password},
                                        source=source)
        body = as_json(raw)
        cookie = None
        for v in all_headers(hs, "Set-Cookie"):
            m = re.match(r"\s*([^=;\s]+)=([^;]*)", v)
            if m and m.group(1) == self.cookie_name and m.group(2):
                cookie = m.group(2)
        return st, hs, body, cookie, get_path(body, "csrf_token")

    def get(self, user):
        """(cookie, csrf) of a live session of `user`."""
        got = self.cache.get(user)
        if got is None or time.monotonic() - got[2] > max(0.8, self.ttl_s - 2.0):
            st, _, _, cookie, csrf = self.login(user, PASSWORDS[user])
            if st != 200 or not cookie:
                return None, None
            got = (cookie, csrf, time.monotonic())
            self.cache[user] = got
        return got[0], got[1]


# ----------------------------------------------------------------- setup ---

def cli(cfg, *argv, stdin=None):
    r = run([opensocd, "user"] + list(argv) + ["-c", cfg], input=stdin, timeout=60)
    CLI_OUTPUT.append(r.stdout + r.stderr)
    return r


CLI_OUTPUT = []


def config_text(data, port, prefix, audit_path, ttl):
    return demo_like_config(data, PCAP, port, prefix) + search_store_yaml() + f"""
intel:
  files: [{json.dumps(os.path.join(DEMO, "intel.csv"))}]
rules:
  files: [{json.dumps(os.path.join(DEMO, "demo.rules"))}]
receivers:
  api_ingest: true
auth:
  enabled: true
  session_ttl: {ttl}
  login_max_failures: 5
  login_window: 5m
audit:
  enabled: true
  path: {json.dumps(audit_path)}
privileges:
  user: ""
"""


def make_users(cfg):
    for user, role, extra in (("viewer1", "viewer", []), ("analyst1", "analyst", []), ("admin1", "admin", []),
                              ("scopedv", "viewer", ["--scope", SCOPE_HOST + "/32"]),
                              ("scopeda", "analyst", ["--scope", SCOPE_HOST + "/32"])):
        r = cli(cfg, "add", user, "--role", role, *extra, "--password-stdin", stdin=PASSWORDS[user] + "\n")
        c.check(r.returncode == 0, f"opensocd user add {user} --role {role} {' '.join(extra)}", r.stderr[-500:])
    r = cli(cfg, "token", "add", "analyst1", "--label", "ci")
    token = r.stdout.strip()
    c.check(r.returncode == 0 and re.fullmatch(r"ost_[0-9a-f]+_\S+", token or ""),
            "opensocd user token add analyst1 prints one token ost_<id>_<secret>", f"{r.returncode} {r.stderr[-300:]}")
    r = cli(cfg, "token", "add", "analyst1", "--label", "to-revoke")
    revoked = r.stdout.strip()
    revoked_id = revoked.split("_")[1] if revoked.count("_") >= 2 else ""
    r = cli(cfg, "token", "revoke", revoked_id)
    c.check(r.returncode == 0 and revoked_id, f"opensocd user token revoke {revoked_id}", r.stderr[-300:])
    r = cli(cfg, "list", "--json")
    listed = as_json(r.stdout.encode()) if r.returncode == 0 else None
    print(f"     user list --json: {r.stdout.strip()[:600]}")
    c.check(r.returncode == 0 and listed is not None, "opensocd user list --json answers JSON", r.stderr[-300:])
    return token, token.split("_")[1] if token.count("_") >= 2 else "", revoked


# ---------------------------------------------------------------- matrix ---

def routes(alert_id):
    """(method, path, body, needed role or None for public, 'ok' status test)."""
    n = [0]

    def seq():
        n[0] += 1
        return n[0]
    ingest_line = (json.dumps({"@timestamp": "2026-11-28T12:00:00Z", "message": "auth matrix ingest line"}) + "\n")
    return [
        ("GET", "/api/v1/health", None, None),
        ("GET", "/api/v1/stats", None, "viewer"),
        ("GET", "/metrics", None, "viewer"),
        ("GET", "/api/v1/sessions?q=*&limit=5", None, "viewer"),
        ("GET", "/api/v1/events?q=*&limit=5", None, "viewer"),
        ("GET", "/api/v1/logs?q=*&limit=5", None, "viewer"),
        ("GET", "/api/v1/alerts", None, "viewer"),
        ("GET", f"/api/v1/alerts/{alert_id}", None, "viewer"),
        ("PATCH", f"/api/v1/alerts/{alert_id}", lambda cred: {"status": "acknowledged", "note": "matrix " + cred},
         "analyst"),
        ("GET", "/api/v1/intel", None, "viewer"),
        ("POST", "/api/v1/intel",
         lambda cred: {"indicators": [{"type": "ipv4-addr", "value": f"192.0.2.{seq()}", "confidence": 50}]}, "admin"),
        ("GET", "/api/v1/rules", None, "viewer"),
        ("POST", "/api/v1/reload", None, "admin"),
        ("POST", "/api/v1/ingest", lambda cred: ingest_line.encode(), "admin"),
        ("GET", f"/api/v1/pcap?host={SCOPE_HOST}&{SINCE}", None, "analyst"),
        ("POST", f"/api/v1/pcap?{SINCE}", lambda cred: f"host {SCOPE_HOST}".encode(), "analyst"),
        ("GET", "/api/v1/auth/me", None, "viewer"),
        ("GET", "/api/v1/users", None, "admin"),
        ("POST", "/api/v1/users",
         lambda cred: {"name": f"mx-{cred}", "role": "viewer", "password": API_USER_PASSWORD}, "admin"),
        ("PATCH", "/api/v1/users/mx-{cred}", lambda cred: {"role": "analyst"}, "admin"),
        ("DELETE", "/api/v1/users/mx-{cred}", None, "admin"),
        ("GET", "/api/v1/tokens", None, "viewer"),
        ("POST", "/api/v1/tokens", lambda cred: {"label": f"mx-{cred}"}, "viewer"),
        ("DELETE", "/api/v1/tokens/{token_id}", None, "viewer"),
        ("GET", "/api/v1/audit?limit=5", None, "admin"),
        ("GET", "/api/v1/fields", None, "viewer"),
        ("GET", "/api/v1/stats/history", None, "viewer"),
        ("GET", f"/api/v1/pcap/estimate?host={SCOPE_HOST}&{SINCE}", None, "analyst"),
        ("GET", "/api/v1/config", None, "admin"),
        # The console's files are public (the sign-in page loads first).
        ("GET", "/console/", None, None),
        ("GET", "/console/assets/app.js", None, None),
        ("GET", "/api/v1/no-such-route", None, "viewer"),
    ]


def expected(need, cred, path):
    if need is None:
        return "2xx"
    if cred in UNAUTHENTICATED:
        return "401"
    if RANK[cred] < RANK[need]:
        return "403"
    return "404" if path == "/api/v1/no-such-route" else "2xx"


def status_matches(status, want):
    if status is None:
        return False
    return 200 <= status < 300 if want == "2xx" else str(status) == want


def credential_headers(cred, method, sess, token, revoked, expired):
    """The headers a request with credential `cred` carries."""
    h = {}
    if cred in ("viewer", "analyst", "admin"):
        cookie, csrf = sess.get({"viewer": "viewer1", "analyst": "analyst1", "admin": "admin1"}[cred])
        if cookie is None:
            return None
        h["Cookie"] = f"{sess.cookie_name}={cookie}"
        if method in UNSAFE:
            h["X-CSRF-Token"] = csrf or ""
    elif cred == "expired":
        h["Cookie"] = f"{sess.cookie_name}={expired[0]}"
        if method in UNSAFE:
            h["X-CSRF-Token"] = expired[1] or ""
    elif cred == "token":
        h["Authorization"] = "Bearer " + token
    elif cred == "revoked":
        h["Authorization"] = "Bearer " + revoked
    return h


def run_matrix(http, sess, alert_id, token, revoked, expired):
    """Returns {(method, path): {cred: status}} and the pcap answers' sizes."""
    table, mismatches, pcap_sizes = [], [], []
    token_ids = {}
    for method, path_t, body_f, need in routes(alert_id):
        row, row_bad = {}, []
        for cred in CREDS:
            path = path_t.replace("{cred}", cred).replace("{token_id}", token_ids.get(cred, "000000000000"))
            h = credential_headers(cred, method, sess, token, revoked, expired)
            if h is None:
                row[cred] = "nologin"
                continue
            body = body_f(cred) if callable(body_f) else None
            st, hs, raw = http.request(method, path, body, h)
            row[cred] = st
            want = expected(need, cred, path_t)
            if not status_matches(st, want):
                row_bad.append(f"{method} {path} [{cred}]: got {st}, want {want}: {raw[:200]!r}")
            if want == "401" and st == 401:
                c.check(header(hs, "WWW-Authenticate") is not None and "Bearer" in header(hs, "WWW-Authenticate"),
                        f"{method} {path} [{cred}]: 401 carries WWW-Authenticate: Bearer", str(hs))
            if path_t == "/api/v1/tokens" and method == "POST" and st is not None and 200 <= st < 300:
                token_ids[cred] = str(get_path(as_json(raw), "id") or "")
            if path.startswith("/api/v1/pcap?") and st == 200:
                try:
                    _, recs = read_pcap(raw)
                    pcap_sizes.append(len(raw))
                    c.check(len(recs) > 0, f"{method} {path} [{cred}]: a whole pcap with packets", f"{len(recs)}")
                except ValueError as e:
                    c.check(False, f"{method} {path} [{cred}]: a whole pcap", str(e))
        table.append((f"{method} {path_t}", need, row))
        mismatches += row_bad
        c.check(not row_bad, f"matrix {method} {path_t} (needs {need or 'nobody'})", "; ".join(row_bad))
    width = max(len(r[0]) for r in table) + 2
    print("\n     " + "endpoint".ljust(width) + "".join(k.rjust(10) for k in CREDS))
    for name, need, row in table:
        cells = "".join((str(row[k]) + ("" if status_matches(row[k], expected(need, k, name.split(" ", 1)[1]))
                                         else "!")).rjust(10) for k in CREDS)
        print("     " + name.ljust(width) + cells)
    print("     ('!' marks a status other than the expected one)\n")
    for m in mismatches:
        print("     mismatch: " + m)
    return pcap_sizes


# ------------------------------------------------------------------ main ---

def session_records(http, headers, q="*"):
    st, _, raw = http.request("GET", "/api/v1/sessions?" + urllib.parse.urlencode({"q": q, "limit": 10000}),
                              headers=headers)
    return st, get_path(as_json(raw), "records") or []


def main():
    with temp_dir("opensoc-authmx-") as d:
        data = os.path.join(d, "data")
        audit_path = os.path.join(d, "audit", "audit.log")
        port = free_port()
        cfg = os.path.join(d, "run.yaml")
        prefix = f"authmx{os.getpid()}"
        ttl_s = 3
        write_config(cfg, config_text(data, port, prefix, audit_path, "3s"))
        r = run([opensocd, "check-config", "-c", cfg])
        if r.returncode != 0 and "session_ttl" in (r.stdout + r.stderr):
            # The documented range of session_ttl starts at 1m.
            print(f"     session_ttl 3s refused ({(r.stdout + r.stderr).strip()[:300]}); using 1m")
            ttl_s = 60
            write_config(cfg, config_text(data, port, prefix, audit_path, "1m"))
            r = run([opensocd, "check-config", "-c", cfg])
        if not c.check(r.returncode == 0, "opensocd check-config accepts the auth config", (r.stdout + r.stderr)[-800:]):
            return
        token, token_id, revoked = make_users(cfg)
        users_file = os.path.join(data, "users.json")
        c.check(os.path.exists(users_file) and (os.stat(users_file).st_mode & 0o077) == 0,
                "the users file is <data_dir>/users.json, mode 0600", oct(os.stat(users_file).st_mode)
                if os.path.exists(users_file) else "missing")

        daemon = Daemon([opensocd, "run", "-c", cfg])
        http = Http(port)
        up = wait_for(lambda: http.request("GET", "/api/v1/health")[0] == 200 or daemon.proc.poll() is not None, 30)
        if not c.check(up and daemon.proc.poll() is None, "opensocd run starts with auth on and serves the API",
                       daemon.output()[-3000:]):
            daemon.stop()
            return
        try:
            body_check(http, d, audit_path, token, token_id, revoked, ttl_s)
        finally:
            c.check(daemon.stop() == 0, "opensocd stops cleanly on SIGTERM", daemon.output()[-2000:])
        secrets_check(daemon, data, audit_path, users_file)


def body_check(http, d, audit_path, token, token_id, revoked, ttl_s):
    sess = Sessions(http, ttl_s)
    bearer = {"Authorization": "Bearer " + token}
    n_packets = len(read_pcap(open(PCAP, "rb").read())[1])

    def stats():
        st, _, raw = http.request("GET", "/api/v1/stats", headers=bearer)
        return as_json(raw) if st == 200 else None
    # The replay is done and its sessions are searchable.
    wait_for(lambda: (lambda s: s and get_path(s, "capture.packets", 0) >= n_packets)(stats()), 30)
    c.equal(get_path(stats(), "capture.packets"), n_packets, "the whole capture was replayed")
    # Sessions reach the index when their flows end: wait until the count
    # holds still.
    last = [None, time.monotonic()]

    def steady():
        n = len(session_records(http, bearer)[1])
        if n != last[0]:
            last[0], last[1] = n, time.monotonic()
        return n >= 10 and time.monotonic() - last[1] > 2.0
    wait_for(steady, 30, interval=0.25)
    print(f"     {last[0]} sessions searchable")

    # Credentials that must fail, set up first so the expired one has aged.
    st, hs, body, cookie, _ = sess.login("viewer1", WRONG_PASSWORD)
    c.equal(st, 401, "login with a wrong password: 401")
    c.check(cookie is None, "a failed login sets no session cookie", str(hs))
    st, hs, body, exp_cookie, exp_csrf = sess.login("viewer1", PASSWORDS["viewer1"])
    expired_at = time.monotonic() + ttl_s + 0.7
    c.check(st == 200 and exp_cookie and exp_csrf, "viewer1 signs in (the session that will expire)", f"{st} {body}")
    set_cookie = " ".join(all_headers(hs, "Set-Cookie"))
    for attr in ("Secure", "HttpOnly", "SameSite=Strict"):
        c.check(attr.lower() in set_cookie.lower(), f"the session cookie is {attr}", set_cookie)
    c.equal((get_path(body, "user"), get_path(body, "role")), ("viewer1", "viewer"), "login answers user and role")
    st, _, raw = http.request("GET", "/api/v1/auth/me", headers={"Cookie": f"{sess.cookie_name}={exp_cookie}"})
    c.equal((st, get_path(as_json(raw), "user"), get_path(as_json(raw), "method")), (200, "viewer1", "session"),
            "GET /api/v1/auth/me with the fresh cookie: viewer1 by session")
    st, _, raw = http.request("GET", "/api/v1/auth/me", headers=bearer)
    c.equal((st, get_path(as_json(raw), "user"), get_path(as_json(raw), "method")), (200, "analyst1", "token"),
            "GET /api/v1/auth/me with the token: analyst1 by token")

    st, _, raw = http.request("GET", "/api/v1/alerts?limit=1000", headers=bearer)
    alerts = get_path(as_json(raw), "alerts") or []
    c.check(st == 200 and alerts, "the replay raised alerts", f"{st} {raw[:300]!r}")
    alert_id = alerts[0]["id"] if alerts else 1

    time.sleep(max(0.0, expired_at - time.monotonic()))
    pcap_sizes = run_matrix(http, sess, alert_id, token, revoked, (exp_cookie, exp_csrf))

    # ---------------------------------------------------------------- CSRF ---
    cookie, csrf = sess.get("admin1")
    ck = {"Cookie": f"{sess.cookie_name}={cookie}"}
    st, _, raw = http.request("POST", "/api/v1/reload", headers=ck)
    c.equal(st, 403, "cookie POST /api/v1/reload without X-CSRF-Token: 403")
    st, _, raw = http.request("POST", "/api/v1/reload", headers=dict(ck, **{"X-CSRF-Token": "not-" + (csrf or "")}))
    c.equal(st, 403, "cookie POST /api/v1/reload with a wrong X-CSRF-Token: 403")
    cookie, csrf = sess.get("analyst1")
    ck = {"Cookie": f"{sess.cookie_name}={cookie}"}
    st, _, raw = http.request("PATCH", f"/api/v1/alerts/{alert_id}", {"status": "escalated"}, headers=ck)
    c.equal(st, 403, "cookie PATCH of an alert without X-CSRF-Token: 403")
    st, _, raw = http.request("PATCH", f"/api/v1/alerts/{alert_id}", {"status": "escalated"},
                              headers=dict(ck, **{"X-CSRF-Token": csrf}))
    c.equal(st, 200, "... and with it: 200")
    st, _, raw = http.request("POST", "/api/v1/auth/logout", headers=dict(ck, **{"X-CSRF-Token": csrf}))
    c.check(st is not None and 200 <= st < 300, "POST /api/v1/auth/logout with the session: 2xx", f"{st} {raw[:200]!r}")
    st, _, _ = http.request("GET", "/api/v1/auth/me", headers=ck)
    c.equal(st, 401, "the logged-out cookie: 401")
    sess.cache.pop("analyst1", None)

    # ------------------------------------------------------------- scopes ---
    scope_checks(http, sess, bearer, d)

    # ------------------------------------------------------------- audit ----
    audit_checks(http, sess, audit_path, token_id, alert_id, pcap_sizes)

    # ------------------------------------------------- the login limiter ----
    # From 127.0.0.2, so the failures of the rest of the test do not count.
    statuses, retry = [], None
    for _ in range(6):
        st, hs, _, _, _ = sess.login("viewer1", WRONG_PASSWORD, source="127.0.0.2")
        statuses.append(st)
        retry = header(hs, "Retry-After")
    c.equal(statuses, [401] * 5 + [429], "6 wrong passwords from 127.0.0.2: 5 × 401, then 429")
    c.check(retry is not None and retry.isdigit() and int(retry) > 0, "the 429 carries Retry-After (seconds)",
            str(retry))
    st, _, _, _, _ = sess.login("viewer1", PASSWORDS["viewer1"], source="127.0.0.2")
    c.equal(st, 429, "then even the right password from 127.0.0.2: 429")
    st, _, _, _, _ = sess.login("viewer1", PASSWORDS["viewer1"])
    c.equal(st, 200, "127.0.0.1 still signs in (the limit is per source)")
    st, _, raw = http.request("GET", "/api/v1/health", source="127.0.0.2")
    c.equal(st, 200, "GET /api/v1/health is open (no credentials, throttled source)")


def scope_checks(http, sess, bearer, d):
    _, everything = session_records(http, bearer)
    cookie, _ = sess.get("scopedv")
    st, _, raw = http.request("GET", "/api/v1/auth/me", headers={"Cookie": f"{sess.cookie_name}={cookie}"})
    c.equal((st, get_path(as_json(raw), "scope")), (200, [SCOPE_HOST + "/32"]),
            f"GET /api/v1/auth/me of the scoped viewer: scope [{SCOPE_HOST}/32]")
    st, _, raw = http.request("GET", "/api/v1/sessions?limit=1000", headers={"Cookie": f"{sess.cookie_name}={cookie}"})
    recs = get_path(as_json(raw), "records") or []
    c.check(st == 200 and recs and all(SCOPE_HOST in (get_path(r, "source.ip"), get_path(r, "destination.ip"))
                                       for r in recs),
            "the scoped viewer's GET /api/v1/sessions without q: only sessions with its address", f"{st} {len(recs)}")
    st, recs = session_records(http, {"Cookie": f"{sess.cookie_name}={cookie}"})
    has = [r for r in everything if SCOPE_HOST in (get_path(r, "source.ip"), get_path(r, "destination.ip"))]
    c.check(st == 200 and recs and all(SCOPE_HOST in (get_path(r, "source.ip"), get_path(r, "destination.ip"))
                                       for r in recs),
            f"viewer scoped to {SCOPE_HOST}/32: every session row has that address",
            f"{st}, {len(recs)} rows: {[(get_path(r, 'source.ip'), get_path(r, 'destination.ip')) for r in recs][:10]}")
    c.check(len(everything) > len(has), "(the capture has sessions without it)", f"{len(everything)} {len(has)}")
    c.equal(len(recs), len(has), f"the scoped viewer sees exactly the {len(has)} sessions with {SCOPE_HOST}")
    st, _, raw = http.request("GET", "/api/v1/sessions?q=destination.port:53&limit=100",
                              headers={"Cookie": f"{sess.cookie_name}={cookie}"})
    c.equal((st, len(get_path(as_json(raw), "records") or [])), (200, 0),
            "the scoped viewer's DNS query (other hosts only) finds nothing")

    cookie, _ = sess.get("scopeda")
    st, hs, raw = http.request("GET", f"/api/v1/pcap?proto=tcp&{SINCE}",
                               headers={"Cookie": f"{sess.cookie_name}={cookie}"})
    path = os.path.join(d, "scoped.pcap")
    with open(path, "wb") as f:
        f.write(raw)
    frames = run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "ip.src", "-e", "ip.dst"]).stdout.splitlines()
    want = run(["tshark", "-n", "-r", PCAP, "-Y", f"ip.addr=={SCOPE_HOST} && tcp",
                "-T", "fields", "-e", "frame.number"]).stdout.split()
    c.check(st == 200 and frames and all(SCOPE_HOST in ln.split("\t") for ln in frames),
            f"analyst scoped to {SCOPE_HOST}/32: every packet of its pcap (proto=tcp) is to/from it (tshark)",
            f"{st} {len(frames)} frames; {[ln for ln in frames if SCOPE_HOST not in ln.split(chr(9))][:5]}")
    c.equal(len(frames), len(want), f"... and it holds all {len(want)} such packets of the capture")
    # The console's size estimate goes through the same scope.
    st, _, raw = http.request("GET", f"/api/v1/pcap/estimate?proto=tcp&{SINCE}",
                              headers={"Cookie": f"{sess.cookie_name}={cookie}"})
    est = as_json(raw) if st == 200 else {}
    c.equal((st, get_path(est, "packets"), get_path(est, "bytes")), (200, len(frames), os.path.getsize(path)),
            "the scoped analyst's /api/v1/pcap/estimate counts exactly its scoped pcap (packets, bytes)")
    st, _, raw = http.request("GET", f"/api/v1/pcap?proto=tcp&{SINCE}", headers=bearer)
    try:
        n_all = len(read_pcap(raw)[1]) if st == 200 else None
    except ValueError:
        n_all = None
    c.check(n_all is not None and n_all > len(frames), "the unscoped analyst's same query returns more packets",
            f"{n_all} vs {len(frames)}")


def audit_lines(path):
    out = []
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({"unparseable": line[:200].decode(errors="replace")})
    except OSError:
        pass
    return out


def audit_checks(http, sess, audit_path, token_id, alert_id, pcap_sizes):
    lines = audit_lines(audit_path)
    c.check(lines and all("unparseable" not in x for x in lines), f"the audit file's {len(lines)} lines are all JSON",
            str([x for x in lines if "unparseable" in x][:3]))
    fixed = ["@timestamp", "user", "source", "action", "outcome", "target"]
    c.check(all(list(x)[:6] == fixed for x in lines if "unparseable" not in x),
            "every line starts with @timestamp, user, source, action, outcome, target",
            str([list(x)[:6] for x in lines if list(x)[:6] != fixed][:3]))
    actions = sorted({x.get("action") for x in lines})
    print(f"     audit actions: {actions}")
    ok_login = [x for x in lines if x.get("action") == "login" and x.get("outcome") == "ok"]
    c.check(any(x.get("user") == "viewer1" and x.get("source") == "127.0.0.1" for x in ok_login),
            "audit: login ok of viewer1 from 127.0.0.1", str(ok_login[:2]))
    failed = [x for x in lines if x.get("action") == "login" and x.get("outcome") == "failed"]
    c.check(any("viewer1" in (x.get("user"), x.get("target")) and x.get("source") == "127.0.0.1" for x in failed),
            "audit: login failed naming viewer1 (user or target) from 127.0.0.1", str(failed[:2]))
    if failed:
        print(f"     a failed login line: {json.dumps(failed[0])}")
    uses = [x for x in lines if x.get("action") == "token.use"]
    c.check(any(token_id in [str(v) for v in x.values()] and x.get("user") == "analyst1" for x in uses),
            f"audit: token.use by analyst1 with the token id {token_id}", str(uses[:2]))
    pcaps = [x for x in lines if x.get("action") == "pcap"]
    c.check(any(x.get("query") and isinstance(x.get("bytes"), int) and x.get("bytes") > 0 for x in pcaps),
            "audit: pcap lines with the query and a byte count", str(pcaps[:2]))
    c.check(any(x.get("bytes") in pcap_sizes for x in pcaps),
            "audit: a pcap line's byte count is the size of a pcap the test received",
            f"{[x.get('bytes') for x in pcaps]} vs {pcap_sizes}")
    if pcaps:
        print(f"     a pcap line: {json.dumps(pcaps[0])}")
    upd = [x for x in lines if x.get("action") == "alert.update"]
    c.check(any(str(alert_id) in str(x.get("target")) and x.get("user") in ("analyst1", "admin1") for x in upd),
            f"audit: alert.update of alert {alert_id} by analyst1/admin1", str(upd[:2]))

    # The same through the API (admin), newest first, filtered.
    cookie, _ = sess.get("admin1")
    ck = {"Cookie": f"{sess.cookie_name}={cookie}"}
    st, _, raw = http.request("GET", "/api/v1/audit?action=login&outcome=failed&limit=1000", headers=ck)
    got = get_path(as_json(raw), "entries") or []
    c.check(st == 200 and got and all(x.get("action") == "login" and x.get("outcome") == "failed" for x in got),
            "GET /api/v1/audit?action=login&outcome=failed: only failed logins", f"{st} {raw[:300]!r}")
    st, _, raw = http.request("GET", "/api/v1/audit?limit=10000", headers=ck)
    got = get_path(as_json(raw), "entries") or []
    # Lines may have been added since the answer (a sign-in): compare with
    # the file's first len(got) lines, reversed.
    lines = audit_lines(audit_path)
    c.check(st == 200 and len(got) >= 10 and got == list(reversed(lines[:len(got)])),
            "GET /api/v1/audit: the file's lines, newest first", f"{st} {len(got)} vs {len(lines)}")
    st, _, raw = http.request("GET", "/api/v1/audit?colour=red", headers=ck)
    c.equal((st, get_path(as_json(raw), "error.parameter")), (400, "colour"), "GET /api/v1/audit?colour=red: 400 naming it")


def secrets_check(daemon, data, audit_path, users_file):
    places = {"daemon stdout/stderr": daemon.output().encode(errors="replace"),
              "the CLI's output": "".join(CLI_OUTPUT).encode(errors="replace"),
              "response bodies": b"\n".join(BODIES)}
    for p in (audit_path, users_file):
        try:
            with open(p, "rb") as f:
                places[p] = f.read()
        except OSError as e:
            c.check(False, f"{p} readable", str(e))
    c.check(len(BODIES) > 200, f"{len(BODIES)} response bodies collected")
    for name, blob in places.items():
        found = [s for s in ALL_SECRETS if s.encode() in blob]
        c.check(not found, f"no password in {name} ({len(blob)} bytes)", f"found {found}")
    found = []
    for dirpath, _, files in os.walk(data):
        for f in files:
            try:
                with open(os.path.join(dirpath, f), "rb") as fh:
                    blob = fh.read()
            except OSError:
                continue
            found += [(f, s) for s in ALL_SECRETS if s.encode() in blob]
    c.check(not found, "no password in any file under data_dir", str(found[:5]))


if __name__ == "__main__":
    main()
    c.finish()
