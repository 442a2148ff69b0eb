#!/usr/bin/env python3
"""Client-certificate sign-in end to end (issue 7 §2, the Stenographer way):
the real daemon with auth on and TLS with a client CA; users mapped to
certificates with `opensocd user add --cert-subject` (by RFC 2253 subject and
by `sha256:` fingerprint). curl presents each certificate:
  - the analyst's subject-mapped certificate signs in as that user and may
    download PCAP; the viewer's fingerprint-mapped one may search but gets
    403 on PCAP;
  - a certificate from the same CA that no user maps is 401;
  - a certificate from another CA fails the handshake;
  - no certificate at all is 401 (client certificates are optional here);
  - the audit log names the certificate users."""
import json
import os
import subprocess

from harness import Checks, Daemon, args, demo_like_config, free_port, run, temp_dir, wait_for, write_config

opensocd, root, corpus = args()
c = Checks("client-cert")
pcap = os.path.join(root, "demo", "demo.pcap")


def openssl(*a):
    r = run(["openssl", *a])
    if r.returncode != 0:
        raise SystemExit(f"openssl {' '.join(a)} failed: {r.stderr}")
    return r.stdout


def make_ca(d, name):
    key, cert = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", f"/O=Example/CN={name}", "-keyout", key, "-out", cert)
    return cert, key


def make_leaf(d, name, ca, subject, server=False):
    key, csr, cert = (os.path.join(d, name + ext) for ext in (".key", ".csr", ".pem"))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", subject,
            "-keyout", key, "-out", csr)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n" if server else "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", cert)
    return cert, key


def fingerprint(cert):
    fp = openssl("x509", "-in", cert, "-noout", "-fingerprint", "-sha256").strip().split("=")[-1]
    return fp.replace(":", "").lower()


def curl(base, path, client=None):
    """(status, body bytes) with an optional (cert, key); status 0 when TLS failed."""
    cmd = ["curl", "-s", "-k", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", base + path]
    if client:
        cmd[1:1] = ["--cert", client[0], "--key", client[1]]
    r = subprocess.run(cmd, capture_output=True, timeout=20)
    body, _, code = r.stdout.rpartition(b"\n")
    return (int(code) if code.isdigit() else 0), body


with temp_dir() as d:
    ca = make_ca(d, "client-ca")
    other_ca = make_ca(d, "other-ca")
    server = make_leaf(d, "server", ca, "/O=Example/CN=localhost", server=True)
    bob = make_leaf(d, "bob", ca, "/O=Example/CN=bob")
    carol = make_leaf(d, "carol", ca, "/O=Example/CN=carol")
    mallory = make_leaf(d, "mallory", ca, "/O=Example/CN=mallory")
    stranger = make_leaf(d, "stranger", other_ca, "/O=Example/CN=bob")  # bob's subject, wrong CA

    port = free_port()
    data = os.path.join(d, "data")
    cfg = write_config(os.path.join(d, "run.yaml"), demo_like_config(data, pcap, port, f"occert{port}") + f"""
store: {{enabled: true}}
auth:
  enabled: true
privileges:
  user: ""
""")
    # demo_like_config has its own http: section; TLS goes under it.
    with open(cfg) as f:
        text = f.read()
    text = text.replace(f"http:\n  listen: 127.0.0.1:{port}\n",
                        f"http:\n  listen: 127.0.0.1:{port}\n  tls:\n    enabled: true\n"
                        f"    cert: {server[0]}\n    key: {server[1]}\n    client_ca: {ca[0]}\n")
    with open(cfg, "w") as f:
        f.write(text)

    # --no-password: these users sign in by certificate only.
    r = run([opensocd, "user", "add", "bob", "--role", "analyst", "--cert-subject", "CN=bob,O=Example",
             "--no-password", "-c", cfg])
    c.check(r.returncode == 0, "user add bob --cert-subject (no password: certificate only)", r.stderr)
    r = run([opensocd, "user", "add", "carol", "--role", "viewer", "--cert-subject",
             "sha256:" + fingerprint(carol[0]), "--no-password", "-c", cfg])
    c.check(r.returncode == 0, "user add carol --cert-subject sha256:<fingerprint>", r.stderr)

    daemon = Daemon([opensocd, "run", "-c", cfg])
    base = f"https://127.0.0.1:{port}"
    up = wait_for(lambda: curl(base, "/api/v1/health")[0] == 200, 30)
    if not c.check(up, "the daemon serves HTTPS with a client CA", daemon.output()[-2000:]):
        daemon.stop()
        c.finish()

    st, body = curl(base, "/api/v1/auth/me", bob)
    me = json.loads(body) if st == 200 else {}
    c.check(st == 200 and me.get("user") == "bob" and me.get("method") == "certificate" and me.get("role") == "analyst",
            "bob's certificate (mapped by subject) signs in as bob, method certificate", f"{st} {body[:300]!r}")
    st, body = curl(base, "/api/v1/pcap?start=0&limit=5", bob)
    c.check(st == 200 and body[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"),
            "the analyst's certificate may download PCAP (a pcap file comes back)", f"{st} {body[:8]!r}")
    st, body = curl(base, "/api/v1/auth/me", carol)
    me = json.loads(body) if st == 200 else {}
    c.check(st == 200 and me.get("user") == "carol" and me.get("role") == "viewer",
            "carol's certificate (mapped by fingerprint) signs in as carol", f"{st} {body[:300]!r}")
    c.equal(curl(base, "/api/v1/stats", carol)[0], 200, "the viewer's certificate may read stats")
    c.equal(curl(base, "/api/v1/pcap?start=0&limit=5", carol)[0], 403, "the viewer's certificate may not download PCAP")
    c.equal(curl(base, "/api/v1/stats", mallory)[0], 401, "a certificate of the CA that no user maps: 401")
    c.equal(curl(base, "/api/v1/stats", stranger)[0], 0, "bob's subject from another CA fails the handshake")
    c.equal(curl(base, "/api/v1/stats")[0], 401, "no certificate (optional here) and no other credential: 401")

    daemon.stop()
    audit = []
    with open(os.path.join(data, "audit.log")) as f:
        audit = [json.loads(line) for line in f if line.strip()]
    c.check(any(e.get("user") == "bob" and e.get("action") == "pcap" and e.get("outcome") == "ok" for e in audit),
            "the audit log has bob's PCAP download", json.dumps(audit[-5:])[:800])
    c.check(any(e.get("user") == "carol" and e.get("action") == "access" and e.get("outcome") == "denied"
                for e in audit), "the audit log has carol's refused PCAP request")
    c.check(any(e.get("action") == "access" and e.get("outcome") == "denied" and "not mapped" in
                json.dumps(e) for e in audit), "the audit log has the unmapped certificate's refusal")
c.finish()
