#!/usr/bin/env python3
"""The command line and config validation, through the real binary: exit
codes (0 ok, 1 runtime failure, 2 usage/config error) and messages that name
the file, the key and what was expected."""
import os

from harness import Checks, args, run, temp_dir, write_config

opensocd, root, corpus = args()
c = Checks("cli")

r = run([opensocd, "version"])
c.equal(r.returncode, 0, "version exits 0")
c.check(r.stdout.startswith("opensocd "), "version prints the name", r.stdout)

r = run([opensocd, "--help"])
c.equal(r.returncode, 0, "--help exits 0")
for cmd in ("run", "ingest", "check-config", "version"):
    c.check(cmd in r.stdout, f"--help lists {cmd}")
for cmd in ("run", "ingest", "check-config"):
    r = run([opensocd, cmd, "--help"])
    c.check(r.returncode == 0 and "usage: opensocd " + cmd in r.stdout, f"{cmd} --help shows its usage")

r = run([opensocd])
c.equal(r.returncode, 2, "no command exits 2")
r = run([opensocd, "frobnicate"])
c.check(r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr, "unknown command exits 2 naming it", r.stderr)
r = run([opensocd, "run", "--no-such-option"])
c.check(r.returncode == 2 and "--no-such-option" in r.stderr, "unknown option exits 2 naming it", r.stderr)
r = run([opensocd, "ingest"])
c.check(r.returncode == 2 and "no capture files" in r.stderr, "ingest without files exits 2", r.stderr)

for name in ("opensoc.yaml", "demo.yaml"):
    path = os.path.join(root, "config", name)
    r = run([opensocd, "check-config", "-c", path])
    c.check(r.returncode == 0 and "OK" in r.stdout, f"check-config accepts config/{name}", r.stderr)

with temp_dir() as d:
    bad = write_config(os.path.join(d, "bad.yaml"), "flow:\n  table_size: lots\nhttp:\n  listn: 1.2.3.4:80\n")
    r = run([opensocd, "check-config", "-c", bad])
    c.equal(r.returncode, 2, "bad config exits 2")
    c.check(bad in r.stderr and "flow.table_size" in r.stderr and "lots" in r.stderr,
            "bad config message names the file, the key and the value", r.stderr)
    c.check("http.listn" in r.stderr and "unknown key" in r.stderr, "unknown key is reported too (all errors at once)", r.stderr)

    r = run([opensocd, "check-config", "-c", os.path.join(d, "missing.yaml")])
    c.check(r.returncode == 2 and "missing.yaml" in r.stderr, "missing config exits 2 naming it", r.stderr)

    syntax = write_config(os.path.join(d, "syntax.yaml"), "flow: [unclosed\n")
    r = run([opensocd, "check-config", "-c", syntax])
    c.check(r.returncode == 2 and "syntax.yaml" in r.stderr, "YAML syntax error exits 2 naming the file", r.stderr)

    r = run([opensocd, "ingest", "--listen", "not-an-address", os.path.join(root, "demo", "demo.pcap")])
    c.check(r.returncode == 2 and "--listen" in r.stderr, "bad --listen exits 2", r.stderr)

    r = run([opensocd, "ingest", os.path.join(d, "nope.pcap")])
    c.check(r.returncode == 1 and "nope.pcap" in r.stderr, "missing capture file exits 1 naming it", r.stderr)

    junk = os.path.join(d, "junk.pcap")
    with open(junk, "wb") as f:
        f.write(b"this is not a capture file at all")
    r = run([opensocd, "ingest", junk])
    c.check(r.returncode == 1 and "junk.pcap" in r.stderr, "non-capture file exits 1 naming it", r.stderr)

    # run with a config that has no ports is a config error, not a crash.
    noports = write_config(os.path.join(d, "noports.yaml"), f"data_dir: {d}/data\n")
    r = run([opensocd, "run", "-c", noports])
    c.check(r.returncode == 2 and "capture.ports" in r.stderr, "run without ports exits 2", r.stderr)

    # A capture device that cannot start is a runtime failure (exit 1) with
    # DPDK's reason, not a crash.
    missing_pcap = write_config(os.path.join(d, "badvdev.yaml"), f"""
data_dir: {d}/data
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "oscli{os.getpid()}",
             "--vdev", "net_pcap0,rx_pcap={d}/no-such.pcap"]
  ports: [{{device: net_pcap0}}]
http: {{listen: "127.0.0.1:1"}}
""")
    r = run([opensocd, "run", "-c", missing_pcap])
    c.check(r.returncode == 1 and "net_pcap0" in r.stderr and "no-such.pcap" in r.stderr,
            "run with a capture device that cannot open exits 1 naming it", r.stderr[-400:])

c.finish()
