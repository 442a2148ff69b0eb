#!/usr/bin/env python3
"""The daemon's HTTPS listener (issue 7 §2) with openssl s_client and curl as
clients: TLS 1.2 and 1.3 accepted (curl and s_client), TLS 1.0 and 1.1
refused, and the certificate replaced on SIGHUP without a restart: the new
certificate's fingerprint is served while the capture (net_pcap looping its
file with infinite_rx=1, so packets keep flowing) keeps counting in the
same process; a broken certificate file on a later SIGHUP keeps the old one."""
import json
import os
import shutil
import signal
import ssl
import time
import urllib.request

from harness import Checks, Daemon, args, demo_like_config, free_port, run, temp_dir, wait_for, write_config

opensocd, root, corpus = args()
c = Checks("tls")
pcap = os.path.join(root, "demo", "demo.pcap")
INSECURE = ssl._create_unverified_context()  # the test pins by fingerprint instead


def make_cert(d, name):
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    r = run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-days", "1", "-subj", f"/CN=localhost/O={name}", "-keyout", key, "-out", cert])
    if r.returncode != 0:
        raise SystemExit(f"openssl req failed: {r.stderr}")
    return cert, key


def file_fingerprint(cert):
    return run(["openssl", "x509", "-in", cert, "-noout", "-fingerprint", "-sha256"]).stdout.strip().split("=")[-1]


def served_fingerprint(port):
    r = run(["sh", "-c", f"openssl s_client -connect 127.0.0.1:{port} </dev/null 2>/dev/null"
                         " | openssl x509 -noout -fingerprint -sha256"], timeout=20)
    return r.stdout.strip().split("=")[-1] if r.returncode == 0 else None


def s_client(port, *opts):
    """(exit code, output) of a bare handshake; stdin closed at once."""
    r = run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *opts], timeout=20, input="")
    return r.returncode, r.stdout + r.stderr


def https_json(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=5, context=INSECURE) as r:
            return r.status, json.loads(r.read())
    except Exception:  # noqa: BLE001 - any failure is "no answer" here
        return None, None


def packets(base):
    status, body = https_json(base, "/api/v1/stats")
    return body["capture"]["packets"] if status == 200 else None


with temp_dir() as d:
    cert_a, key_a = make_cert(d, "first")
    cert_b, key_b = make_cert(d, "second")
    cert, key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
    shutil.copy(cert_a, cert)
    shutil.copy(key_a, key)
    fp_a, fp_b = file_fingerprint(cert_a), file_fingerprint(cert_b)

    port = free_port()
    text = demo_like_config(os.path.join(d, "data"), pcap, port, f"ostls{os.getpid()}", extra_vdev_args=",infinite_rx=1")
    # demo_like_config ends with the http section: tls goes under it.
    # infinite_rx keeps every frame in one mbuf: room for the largest (5666 B).
    text = text.replace("  main_lcore: 0\n", "  main_lcore: 0\n  mbuf_data_size: 8192\n")
    text += f"""  tls:
    enabled: true
    cert: {cert}
    key: {key}
store:
  enabled: false
sessions:
  enabled: false
search:
  enabled: false
"""
    cfg = write_config(os.path.join(d, "run.yaml"), text)
    daemon = Daemon([opensocd, "run", "-c", cfg])
    base = f"https://127.0.0.1:{port}"
    up = wait_for(lambda: https_json(base, "/api/v1/health")[0] == 200 if daemon.proc.poll() is None else True, 30)
    if not c.check(up and daemon.proc.poll() is None, "daemon starts and answers /api/v1/health over HTTPS",
                   daemon.output()[-2000:]):
        daemon.stop()
        c.finish()
    pid = daemon.proc.pid

    # Protocol versions.
    for name, opts in [("TLS 1.2", ["--tlsv1.2", "--tls-max", "1.2"]), ("TLS 1.3", ["--tlsv1.3"])]:
        r = run(["curl", "-sk", "-m", "10", *opts, "-o", "/dev/null", "-w", "%{http_code}",
                 base + "/api/v1/health"])
        c.equal(r.stdout, "200", f"curl over {name} gets 200")
    for flag, proto in [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")]:
        rc, out = s_client(port, flag)
        c.check(rc == 0 and (f"Protocol  : {proto}" in out or f"New, {proto}" in out),
                f"s_client {flag} negotiates {proto}", out[-400:])
    for flag in ["-tls1", "-tls1_1"]:
        rc, out = s_client(port, flag, "-cipher", "DEFAULT@SECLEVEL=0")
        c.check(rc != 0 and "BEGIN CERTIFICATE" not in out, f"s_client {flag} is refused", out[-400:])
    r = run(["curl", "-s", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{port}/api/v1/health"])
    c.check(r.stdout in ("000", ""), "plain HTTP to the TLS port gets no HTTP answer", r.stdout)

    # Reload the certificate while the capture runs.
    c.equal(served_fingerprint(port), fp_a, "the first certificate is served")
    p0 = wait_for(lambda: packets(base), 10)
    p1 = wait_for(lambda: (lambda p: p if p and p > (p0 or 0) else None)(packets(base)), 10)
    c.check(p0 is not None and p1 is not None and p1 > p0, f"capture counts packets before the reload ({p0} -> {p1})")
    shutil.copy(cert_b, cert)
    shutil.copy(key_b, key)
    os.kill(pid, signal.SIGHUP)
    served = wait_for(lambda: served_fingerprint(port) == fp_b, 15, interval=0.5)
    c.check(served, "after SIGHUP the new certificate's fingerprint is served", daemon.output()[-1500:])
    p2 = packets(base)
    time.sleep(1.0)
    p3 = packets(base)
    c.check(p2 is not None and p3 is not None and p1 < p2 < p3,
            f"capture counters kept growing across the reload ({p1} -> {p2} -> {p3})")
    c.equal(daemon.proc.poll(), None, "daemon still running")
    c.equal(daemon.proc.pid, pid, "same daemon process")

    # A broken certificate on a later reload: the previous one stays.
    with open(cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    os.kill(pid, signal.SIGHUP)
    time.sleep(1.5)
    c.equal(served_fingerprint(port), fp_b, "a broken certificate file on SIGHUP keeps the previous certificate")
    c.check(cert in daemon.output(), "and the failure names the file in the log", daemon.output()[-800:])
    r = run(["curl", "-sk", "-m", "10", "--tlsv1.2", "-o", "/dev/null", "-w", "%{http_code}", base + "/api/v1/health"])
    c.equal(r.stdout, "200", "still serving after the failed reload")
    c.equal(daemon.stop(), 0, "SIGTERM: exit code 0")
c.finish()
