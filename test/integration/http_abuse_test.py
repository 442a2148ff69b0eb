#!/usr/bin/env python3
"""Hostile HTTP against the running daemon (plain HTTP, auth off): thousands
of malformed requests from parallel threads (bad methods, huge headers and
query strings, bad percent-encodings and HTTP versions, NUL bytes, fields
without a colon, conflicting Content-Length, bad chunked framing, random
bytes, abrupt resets) and a few dozen slowloris senders. Every answer must be
a 4xx (501 for methods nobody implements) or a closed connection; the daemon
stays up with bounded memory; its capture counters still equal the pcap's
frame count; slowloris sockets are cut off after request_timeout in total;
and a normal request is still answered quickly at the end."""
import os
import random
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from harness import (Checks, Daemon, args, capinfos_count, demo_like_config, free_port, http_get, stats, temp_dir,
                     wait_for, write_config)

REQUEST_TIMEOUT_S = 4
THREADS = 8
ROUNDS = 60          # each round sends every case once per thread
SLOWLORIS = 40

opensocd, root, corpus = args()
c = Checks("http-abuse")
pcap = os.path.join(root, "demo", "demo.pcap")
want_packets = capinfos_count(pcap)


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cases():
    """(name, request bytes) pairs; every request is complete, so the server
    can answer at once without waiting for its deadline."""
    r = random.Random(7)
    big = lambda n: b"a" * n  # noqa: E731
    out = [
        ("method TRACE", b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("method CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("method unknown", b"FROBNICATE /api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("method lower-case", b"get /api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("method binary", b"G\x00T /api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("method empty", b" /api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("header 20 KB", b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: " + big(20000) + b"\r\n\r\n"),
        ("header 200 KB", b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: " + big(200000) + b"\r\n\r\n"),
        ("many headers", b"GET /api/v1/stats HTTP/1.1\r\n" + b"X-A: b\r\n" * 4000 + b"\r\n"),
        ("query 9 KB", b"GET /api/v1/stats?q=" + big(9000) + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("query 64 KB", b"GET /api/v1/search?q=" + big(65536) + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("query many params", b"GET /api/v1/stats?" + b"a=b&" * 1500 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("percent %zz", b"GET /api/v1/stats%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("percent truncated", b"GET /api/v1/stats?x=% HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("percent NUL", b"GET /api/v1/st%00ats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("percent half", b"GET /api/v1/stats?%4=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("percent overlong utf8", b"GET /api/v1/%c0%ae%c0%ae/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("version 2.0", b"GET /api/v1/stats HTTP/2.0\r\nHost: x\r\n\r\n"),
        ("version 1.2", b"GET /api/v1/stats HTTP/1.2\r\nHost: x\r\n\r\n"),
        ("version garbage", b"GET /api/v1/stats HTTX/1.1\r\nHost: x\r\n\r\n"),
        ("version missing", b"GET /api/v1/stats\r\nHost: x\r\n\r\n"),
        ("version 0.9", b"GET /api/v1/stats HTTP/0.9\r\n\r\n"),
        ("NUL in target", b"GET /api/v1/st\x00ats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("NUL in header value", b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"),
        ("NUL in header name", b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-\x00A: b\r\n\r\n"),
        ("header without colon", b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n"),
        ("header space before colon", b"GET /api/v1/stats HTTP/1.1\r\nHost : x\r\n\r\n"),
        # (a fold inside a field is unfolded to a space, RFC 9112 §5.2; one
        # before the first field has nothing to fold into)
        ("obs-fold first", b"GET /api/v1/stats HTTP/1.1\r\n b\r\nHost: x\r\n\r\n"),
        ("bare LF", b"GET /api/v1/stats HTTP/1.1\nHost: x\n\n"),
        ("conflicting Content-Length",
         b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
        ("negative Content-Length", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        ("huge Content-Length", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("Content-Length over the body limit", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"),
        ("Content-Length with chunked",
         b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("chunk size not hex", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n"),
        ("chunk size overflow",
         b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nab\r\n0\r\n\r\n"),
        ("chunk without CRLF", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n"),
        ("chunked over the body limit",
         b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" + big(0x200000)
         + b"\r\n0\r\n\r\n"),
        ("unknown transfer coding", b"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("absolute-form target", b"GET http://evil.example/api/v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("asterisk target", b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("TLS ClientHello to plain port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(32) + b"\r\n\r\n"),
        ("unknown parameter", b"GET /api/v1/stats?bogus=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("unknown path", b"GET /api/v1/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]
    for i in range(6):
        out.append((f"random bytes {i}", bytes(r.getrandbits(8) for _ in range(r.randint(1, 3000))) + b"\r\n\r\n"))
    return out


def answer_status(data):
    """The answer's status code, or None when the connection closed without one."""
    if not data:
        return None
    if not data.startswith(b"HTTP/1.1 ") or len(data) < 12 or not data[9:12].isdigit():
        return -1  # something that is not an HTTP answer
    return int(data[9:12])


def exchange(port, payload):
    """Sends one request and reads one answer: its header, then as much body
    as Content-Length says (an answer that keeps the connection open must not
    cost a timeout). Returns the status, None when the connection closed
    without an answer, or -1 for bytes that are not an HTTP answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT_S + 10)
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused early (oversized header): the answer may still be readable
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length" and value.strip().isdigit():
                    length = int(value.strip())
            while len(body) < length:
                b = s.recv(65536)
                if not b:
                    break
                body += b
        except ConnectionResetError:
            pass
        return answer_status(data)
    finally:
        s.close()


def reset(port, payload):
    """Sends part of a request and closes with RST (SO_LINGER 0)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(payload[: max(1, len(payload) // 2)])
    except OSError:
        pass  # the server refused it already (oversized): reset anyway
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def slowloris(port, results, idx):
    """One byte of a never-ending header every second; records how long until
    the server cut the connection."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(1.0)
    t0 = time.monotonic()
    cut = None
    try:
        s.sendall(b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\n")
        while time.monotonic() - t0 < REQUEST_TIMEOUT_S * 4:
            try:
                s.sendall(b"X")
                if s.recv(1) == b"":
                    cut = time.monotonic() - t0
                    break
            except socket.timeout:
                continue
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic() - t0
                break
    finally:
        s.close()
    results[idx] = cut


with temp_dir() as d:
    port = free_port()
    cfg_text = demo_like_config(os.path.join(d, "data"), pcap, port, f"osabuse{os.getpid()}")
    cfg_text = cfg_text.replace(f"  listen: 127.0.0.1:{port}\n",
                                f"  listen: 127.0.0.1:{port}\n  request_timeout: {REQUEST_TIMEOUT_S}s\n")
    cfg = write_config(os.path.join(d, "run.yaml"), cfg_text)
    daemon = Daemon([opensocd, "run", "-c", cfg])
    base = f"http://127.0.0.1:{port}"
    up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 if daemon.proc.poll() is None else True, 30)
    if not c.check(up and daemon.proc.poll() is None, "daemon starts and answers /api/v1/health", daemon.output()[-2000:]):
        daemon.stop()
        c.finish()
    wait_for(lambda: (lambda x: x and x["capture"]["packets"] >= want_packets)(stats(base)), 30)
    c.equal(stats(base)["capture"]["packets"], want_packets, "before: packets counted equal capinfos' count")
    pid = daemon.proc.pid
    # Warm up the allocator with some ordinary traffic before the baseline.
    for _ in range(50):
        http_get(base + "/api/v1/stats")
    rss_before = vm_rss_kib(pid)

    all_cases = cases()
    tally = {}
    bad = []
    lock = threading.Lock()

    def worker(seed):
        rnd = random.Random(seed)
        for _ in range(ROUNDS):
            order = list(all_cases)
            rnd.shuffle(order)
            for name, payload in order:
                try:
                    status = exchange(port, payload)
                except socket.timeout:
                    status = "timeout"
                except OSError as e:
                    status = f"error {e.errno}"
                with lock:
                    tally[status] = tally.get(status, 0) + 1
                    if not (status is None or (isinstance(status, int) and (400 <= status < 500 or status == 501))):
                        bad.append((name, status))
            reset(port, rnd.choice(all_cases)[1])
            with lock:
                tally["reset"] = tally.get("reset", 0) + 1

    slow_results = [None] * SLOWLORIS
    slow_threads = [threading.Thread(target=slowloris, args=(port, slow_results, i)) for i in range(SLOWLORIS)]
    t0 = time.monotonic()
    for t in slow_threads:
        t.start()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    for t in slow_threads:
        t.join()
    elapsed = time.monotonic() - t0
    sent = sum(v for v in tally.values())
    rss_after = vm_rss_kib(pid)
    print(f"sent {sent} hostile requests ({tally.get('reset', 0)} of them reset) + {SLOWLORIS} slowloris "
          f"in {elapsed:.1f} s; answers: {dict(sorted(tally.items(), key=str))}")
    print(f"VmRSS before {rss_before} KiB, after {rss_after} KiB (+{(rss_after - rss_before) / 1024:.1f} MiB)")

    c.check(sent >= 5000, f"many thousands of hostile requests sent ({sent})")
    c.equal(bad[:10], [], "every answered request got a 4xx (501 for unknown methods) or a closed connection")
    c.check(tally.get(-1, 0) == 0, "no answer that is not HTTP")
    c.check(sum(v for k, v in tally.items() if isinstance(k, int) and 400 <= k < 500) > sent // 2,
            "most hostile requests got an explicit 4xx")
    c.check(daemon.proc.poll() is None, "daemon alive after the abuse", daemon.output()[-2000:])
    c.check(rss_after < rss_before + 64 * 1024, f"RSS bounded: {rss_before} -> {rss_after} KiB")
    cuts = [x for x in slow_results if x is not None]
    c.equal(len(cuts), SLOWLORIS, "every slowloris connection was cut off")
    c.check(cuts and max(cuts) < REQUEST_TIMEOUT_S + 3,
            f"slowloris cut after request_timeout in total (max {max(cuts) if cuts else None:.1f} s, "
            f"timeout {REQUEST_TIMEOUT_S} s)")
    s = stats(base)
    c.equal(s["capture"]["packets"] if s else None, want_packets, "after: packets counted still equal capinfos' count")
    c.equal(s["capture"]["dropped"]["total"] if s else None, 0, "after: zero capture drops")
    t1 = time.monotonic()
    status, _, _ = http_get(base + "/api/v1/health", timeout=2)
    latency = time.monotonic() - t1
    c.equal(status, 200, "a normal request is answered after the abuse")
    c.check(latency < 0.5, f"and quickly ({latency * 1000:.0f} ms)")
    c.equal(daemon.stop(), 0, "SIGTERM: exit code 0")
c.finish()
