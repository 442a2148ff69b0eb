"""Shared helpers for the integration tests, which drive the real opensocd
binary (and real tshark/capinfos/tcpreplay) and check exact outcomes.

Each test script is one meson test: it prints one line per check and exits
non-zero when any check failed.
"""
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


class Checks:
    def __init__(self, name):
        self.name = name
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what} {detail}")
        return ok

    def equal(self, got, want, what):
        return self.check(got == want, what, f"(got {got!r}, want {want!r})")

    def finish(self):
        print(f"{self.name}: {self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def args():
    """argv: OPENSOCD SOURCE_ROOT CORPUS_DIR"""
    if len(sys.argv) < 4:
        sys.exit("usage: test.py OPENSOCD SOURCE_ROOT CORPUS_DIR")
    return sys.argv[1], sys.argv[2], sys.argv[3]


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    """Returns (status, headers, body bytes); HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, {}, b""


def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(interval)
    return predicate()


def capinfos_count(path):
    out = run(["capinfos", "-c", "-M", "-T", "-r", path]).stdout.strip().split("\t")
    return int(out[-1]) if out and out[-1].isdigit() else None


@contextlib.contextmanager
def temp_dir(prefix="opensoc-test-"):
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def write_config(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def demo_like_config(data_dir, pcap, port, prefix, extra_vdev_args="", lcores="[1]", flow_log=""):
    return f"""
data_dir: {data_dir}
log_level: info
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "{prefix}",
             "--vdev", "net_pcap0,rx_pcap={pcap}{extra_vdev_args}"]
  main_lcore: 0
  worker_lcores: {lcores}
  ports:
    - device: net_pcap0
flow:
  table_size: 65536
pipeline:
  flow_log: "{flow_log}"
http:
  listen: 127.0.0.1:{port}
"""


class Daemon:
    """opensocd run in the background; stopped with SIGTERM."""

    def __init__(self, cmd, env=None):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, text=True, env=env)
        # A test that dies must not leave a capture core spinning behind it.
        atexit.register(self.kill)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def stats(base):
    status, _, body = http_get(base + "/api/v1/stats")
    return json.loads(body) if status == 200 else None
