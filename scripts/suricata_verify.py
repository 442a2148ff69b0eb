#!/usr/bin/env python3
"""Runs opensocd over the suricata-verify corpus and scores its EVE output
against upstream's expected-output checks.

What it owns: deciding which suricata-verify tests say something about the
metadata opensocd logs (dns/http/tls/ssh/flow EVE records), running
`opensocd ingest --eve-out` on each test's capture(s) in a fresh data dir, and
evaluating every applicable `filter` check with the same matching rules as
upstream's run.py (FilterCheck.match / find_value). Single-threaded driver;
the ingests themselves run on a small thread pool (--jobs).

A test is N/A, with the reason, when it needs Suricata-only behaviour: a
custom `command:`, `requires:` features/versions/scripts we do not emulate,
`args` that change stream/app-layer/IPS settings, a suricata.yaml that
reconfigures stream/app-layer/decoder or the EVE output of the protocols we
log, or when none of its checks are filters on our event types. Every test
with a capture is still ingested, so a crash or a hang on any corpus capture
is reported (as FAIL) whether or not its checks apply.

--alerts compares signature alerts instead: only tests with a rules file and
`event_type: alert` checks, ingested with `--rules` (behavioural detectors
off), only their alert checks. Besides the N/A rules above, a check on a field
opensocd's alerts do not carry is N/A, and so is a test whose checks need a
rule our parser rejected ("rule sid N rejected: message", read from the
`rules: FILE:LINE: sid N: MESSAGE` lines ingest logs).

Output: one line per test ("PASS name", "FAIL name: ...", "N/A name: reason"),
then a per-field summary and totals; --json writes the same as one object.
Exit status: 0 when nothing crashed or timed out, 1 otherwise (check failures
are results, not errors: the baseline test decides what must pass).
"""
import argparse
import collections
import concurrent.futures
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

# The EVE flavour opensocd writes (Suricata 8.0, any patch release); per-test
# and per-check version requirements are judged against it, so 8.0.x bug-fix
# tests apply and 9.x format changes do not.
EMULATED_VERSION = (8, 0, 999)
OUR_EVENT_TYPES = {"dns", "http", "tls", "flow", "ssh"}
# App-layer protocols whose parser settings change what we are compared on.
OUR_APP_LAYERS = {"dns", "http", "tls", "ssh", "http2"}
DEFAULT_TIMEOUT_S = 30

# `args` that do not change what is decoded or logged (checksum checks off,
# run modes, logging, data dirs, pattern-matcher choice, table sizes).
HARMLESS_ARGS = [
    r"^-k\s+none$",
    r"^--runmode(=|\s+)\S+$",
    r"^--no-random$",
    r"^--data-dir(=|\s+)\S+$",
    r"^--init-errors-fatal$",
    r"^--set\s+(runmode|default-rule-path|mpm-algo|spm-algo|flow\.hash-size|ippair\.hash-size"
    r"|pcap-file\.checksum-checks|pcap-file\.delete-when-done|stats\.[\w.-]+|logging\.[\w.-]+"
    r"|defrag\.hash-size|datasets\.[\w.-]+|detect\.[\w.-]+|security\.lua\.[\w.-]+)=\S*$",
    # Body decompression limits: opensocd logs no HTTP bodies.
    r"^--set\s+app-layer\.protocols\.http\.libhtp\.default-config\.(response-body-decompress-layer-limit"
    r"|decompression-time-limit|response-body-limit|request-body-limit)=\S*$",
    # Suricata only parses TCP sessions picked up mid-stream when this is on;
    # opensocd always does, so the expectation is the same.
    r"^--set\s+stream\.midstream=(true|yes|1)$",
]
# app_proto values opensocd can log (core/protocol_event.hpp AppProtocol); a
# flow check naming another protocol tests a Suricata parser we do not have.
OUR_APP_PROTOS = {"dns", "http", "tls", "ssh", "dhcp", "quic", "failed"}
# Match keys that only Suricata's detection engine, IPS mode or stream-engine
# internals produce.
SURICATA_ONLY_KEYS = [
    (re.compile(r"^metadata(\.|$)"), "flowbits/metadata from rules"),
    (re.compile(r"^flow\.action$"), "IPS verdict"),
    (re.compile(r"^verdict(\.|$)"), "IPS verdict"),
    (re.compile(r"^tcp\.t[sc]_max_regions$"), "Suricata stream-engine internals"),
    (re.compile(r"^flow\.(emergency|exception_policy|bypass|tx_cnt)"), "Suricata flow-engine internals"),
]
APP_LAYER_ARG = re.compile(r"^--set\s+app-layer\.protocols\.([\w-]+)\.")


# --- upstream matching semantics (suricata-verify run.py) ---

def parse_version(text):
    m = re.search(r"(\d+)\.?(\d+)?\.?(\d+)?", str(text).strip())
    if not m:
        return None
    return tuple(int(g) if g else 0 for g in m.groups())


def find_value(name, obj):
    """Value at a dotted path such as `dns.answers[0].rrname`; None when any
    step is missing. `__len` yields the length (-1 for numbers); `__find`,
    `__contains`, `__startswith`, `__endswith` stop the walk so the caller
    applies the special comparison to the object reached so far."""
    for part in name.split("."):
        if part == "__len":
            try:
                return len(obj)
            except TypeError:
                return -1
        if part in ("__contains", "__find", "__startswith", "__endswith"):
            break
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        key, index = (m.group(1), int(m.group(2))) if m else (part, None)
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
        if index is not None:
            try:
                obj = obj[index]
            except (IndexError, KeyError, TypeError):
                return None
    return obj


def key_matches(key, expected, event):
    """One `match` entry against one event, as upstream FilterCheck.match.
    Upstream would raise on a special suffix applied to a missing value; that
    is a non-match here."""
    if key == "has-key":
        return find_value(expected, event) is not None
    if key == "not-has-key":
        return find_value(expected, event) is None
    val = find_value(key, event)
    try:
        if key.endswith("__find"):
            return val.find(expected) >= 0
        if key.endswith("__contains"):
            return expected in val
        if key.endswith("__startswith"):
            return val.startswith(expected)
        if key.endswith("__endswith"):
            return val.endswith(expected)
    except (AttributeError, TypeError):
        return False
    return val == expected


def event_matches(match, event):
    return all(key_matches(k, v, event) for k, v in match.items())


def count_matches(match, events):
    return sum(1 for e in events if event_matches(match, e))


def requirement_gap(requires):
    """Why a `requires`-style dict cannot be met by the emulated Suricata, or
    None when it can."""
    for key, val in (requires or {}).items():
        if key == "min-version":
            v = parse_version(val)
            if v and EMULATED_VERSION < v:
                return f"requires Suricata >= {val}"
        elif key == "lt-version":
            v = parse_version(val)
            if v and not EMULATED_VERSION < v:
                return f"for Suricata < {val}"
        elif key == "gt-version":
            v = parse_version(val)
            if v and not EMULATED_VERSION > v:
                return f"for Suricata > {val}"
        elif key == "version":
            parts = [int(p) for p in re.findall(r"\d+", str(val))]
            if list(EMULATED_VERSION[:len(parts)]) != parts:
                return f"only for Suricata {val}"
        elif key == "features":
            return "requires Suricata build features " + ",".join(map(str, val))
        elif key == "pcap":
            if val is False:
                return "runs without a capture (requires pcap: false)"
        elif key == "os":
            if not sys.platform.startswith(str(val).lower()):
                return f"requires os {val}"
        else:
            return f"requires {key}"
    return None


def check_gap(check):
    """Why one filter check is not applicable to opensocd, or None."""
    match = check.get("match") or {}
    et = match.get("event_type")
    if et is None:
        return "filter without event_type"
    if et not in OUR_EVENT_TYPES:
        return f"event_type {et}"
    if check.get("filename") not in (None, "eve.json"):
        return f"reads {check['filename']} (a second EVE output)"
    for key, val in match.items():
        if key in ("app_proto", "app_proto_ts", "app_proto_tc", "app_proto_orig", "app_proto_expected") \
                and val not in OUR_APP_PROTOS:
            return f"{key} {val} (no opensocd parser)"
        if key == "flow.alerted" and val is True:
            return "flow.alerted true (needs rule alerts)"
        field = match[key] if key in ("has-key", "not-has-key") else key
        for pattern, why in SURICATA_ONLY_KEYS:
            if isinstance(field, str) and pattern.match(field):
                return f"{field} ({why})"
    return check_requirement_gap(check)


def check_requirement_gap(check):
    """Why one check's own version/feature requirements are not met."""
    requires = dict(check.get("requires") or {})
    for k in ("version", "min-version", "lt-version"):
        if check.get(k) is not None:
            requires[k] = check[k]
    if check.get("feature") is not None:
        requires["features"] = [check["feature"]]
    return requirement_gap(requires)


def args_gap(args):
    for a in args or []:
        a = " ".join(str(a).split())
        # One list entry may carry several options ("-k none --set x=y").
        for opt in re.split(r"\s+(?=--?[a-zA-Z])", a):
            if any(re.match(p, opt) for p in HARMLESS_ARGS):
                continue
            # Settings of parsers opensocd does not have do not change ours.
            m = APP_LAYER_ARG.match(opt)
            if not (m and m.group(1) not in OUR_APP_LAYERS):
                return f"args `{opt}`"
    return None


def suricata_yaml_gap(path, for_alerts=False):
    """Reasons a test's suricata.yaml makes Suricata log something other than
    its defaults for what we compare (None when it does not). Protocol
    logging options do not change alerts, so `for_alerts` ignores them."""
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"^%YAML.*$", "", text, flags=re.M)
    text = re.sub(r"^---\s*$", "", text, flags=re.M)
    try:
        conf = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return "suricata.yaml does not parse"
    if not isinstance(conf, dict):
        return None
    for key in ("stream", "decoder", "host-os-policy", "exception-policy", "defrag"):
        if key in conf:
            return f"suricata.yaml sets {key}"
    protocols = ((conf.get("app-layer") or {}).get("protocols") or {})
    for proto in protocols:
        if proto in OUR_APP_LAYERS:
            return f"suricata.yaml sets app-layer.protocols.{proto}"
    for output in conf.get("outputs") or []:
        eve = (output or {}).get("eve-log") if isinstance(output, dict) else None
        if not isinstance(eve, dict):
            continue
        if eve.get("ethernet") in (True, "yes", "true"):
            return "suricata.yaml eve-log ethernet: yes"
        seed = eve.get("community-id-seed", 0)
        if seed not in (0, "0", None):
            return f"suricata.yaml eve-log community-id-seed {seed}"
        for t in ([] if for_alerts else eve.get("types") or []):
            if not isinstance(t, dict):
                continue
            for name, opts in t.items():
                if name in OUR_EVENT_TYPES and isinstance(opts, dict):
                    extra = {k: v for k, v in opts.items() if k not in ("extended", "enabled")}
                    if extra:
                        return f"suricata.yaml eve-log {name} options {sorted(extra)}"
    return None


def rules_gap(directory):
    """Rules that change what Suricata logs (conditional logging with
    `config: logging disable`) make its EVE output rule-dependent."""
    for path in glob.glob(os.path.join(directory, "*.rules")):
        text = open(path, encoding="utf-8", errors="replace").read()
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("config ") or re.search(r"\bconfig\s*:", line):
                return f"{os.path.basename(path)} uses config (conditional logging)"
    return None


# --- one suricata-verify test ---

def discover(tests_dir):
    """Tests as upstream finds them: every directory holding a test.yaml,
    not descending below one. Directories with captures but no test.yaml are
    listed too (N/A) so every corpus capture is ingested."""
    found = []
    for dirpath, dirnames, filenames in os.walk(tests_dir, followlinks=True):
        dirnames.sort()
        if dirpath == tests_dir:
            continue
        has_pcap = any(f.endswith((".pcap", ".pcapng")) for f in filenames)
        if "test.yaml" in filenames:
            dirnames[:] = []
        elif not has_pcap:
            continue
        found.append(Test(dirpath, os.path.relpath(dirpath, tests_dir)))
    return sorted(found, key=lambda t: t.name)

class Test:
    def __init__(self, directory, name):
        self.dir = directory
        self.name = name
        self.config = {}
        self.load_error = None
        path = os.path.join(directory, "test.yaml")
        if not os.path.exists(path):
            self.load_error = "no test.yaml (capture only)"
        else:
            try:
                self.config = yaml.safe_load(open(path, "rb")) or {}
            except yaml.YAMLError as e:
                self.load_error = f"test.yaml does not parse: {str(e).splitlines()[0]}"

    def pcaps(self):
        if self.config.get("pcap"):
            p = os.path.join(self.dir, str(self.config["pcap"]))
            return [p] if os.path.exists(p) else []
        return sorted(glob.glob(os.path.join(self.dir, "*.pcap")) + glob.glob(os.path.join(self.dir, "*.pcapng")))

    def pcap_gap(self):
        if not self.config.get("pcap") and len(self.pcaps()) > 1:
            return "more than one capture and no pcap: key"
        return None

    def checks(self):
        """[(index 1-based, filter dict or None, gap or None)] for every check."""
        out = []
        for i, c in enumerate(self.config.get("checks") or [], 1):
            if isinstance(c, dict) and "filter" in c:
                f = c["filter"] or {}
                out.append((i, f, check_gap(f)))
            else:
                kind = next(iter(c)) if isinstance(c, dict) and c else "unknown"
                out.append((i, None, f"{kind} check"))
        return out

    def test_gap(self, for_alerts=False):
        """Why the whole test is N/A regardless of its checks, or None."""
        if self.load_error:
            return self.load_error
        c = self.config
        if "command" in c:
            return "custom command"
        if c.get("skip"):
            return "skipped upstream"
        if "ips" in os.path.basename(self.dir):
            return "IPS mode (--simulate-ips, from the test name)"
        gap = self.pcap_gap()
        if gap:
            return gap
        if c.get("exit-code", 0) != 0:
            return f"expects exit code {c['exit-code']}"
        if "pcap" in c and not c["pcap"]:
            return "runs without a capture (pcap: false)"
        gap = requirement_gap(c.get("requires"))
        if gap:
            return gap
        if c.get("min-version") and EMULATED_VERSION < (parse_version(c["min-version"]) or (0,)):
            return f"requires Suricata >= {c['min-version']}"
        gap = args_gap(c.get("args"))
        if gap:
            return gap
        if c.get("env"):
            return "env " + " ".join(f"{k}={v}" for k, v in c["env"].items())
        if any(p.endswith(".lua") for p in os.listdir(self.dir)):
            return "lua script"
        gap = rules_gap(self.dir)
        if gap:
            return gap
        return suricata_yaml_gap(os.path.join(self.dir, "suricata.yaml"), for_alerts)


def config_text(data_dir, extra=""):
    # The packet store is on so EVE output is produced with the whole
    # pipeline running, as in production; segments small to keep it honest.
    return f"""data_dir: {data_dir}
log_level: warning
store:
  enabled: true
  max_segment_bytes: 4MiB
  max_segment_age_s: 60s
  sync_on_close: false
  index_commit_ms: 100
""" + extra


def tail(text, n=600):
    text = (text or "").strip()
    return text[-n:]


def ingest(opensocd, pcaps, timeout):
    """Runs `opensocd ingest --eve-out` in a fresh temp dir. Returns
    (events list or None, error string or None)."""
    events, err, _ = run_ingest(opensocd, pcaps, timeout)
    return events, err


def run_ingest(opensocd, pcaps, timeout, rules_files=(), extra_config=""):
    """`ingest` with `--rules` files and config lines appended; returns
    (events list or None, error string or None, stderr text)."""
    tmp = tempfile.mkdtemp(prefix="opensoc-sv-")
    try:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        cfg = os.path.join(tmp, "opensocd.yaml")
        with open(cfg, "w") as f:
            f.write(config_text(data, extra_config))
        eve = os.path.join(tmp, "eve.json")
        cmd = [opensocd, "ingest", "-c", cfg, "--data-dir", data, "--eve-out", eve]
        for path in rules_files:
            cmd += ["--rules", path]
        cmd += pcaps
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired as e:
            err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
            return None, f"timeout after {timeout} s; stderr: {tail(err)}", err
        if r.returncode != 0:
            what = f"killed by signal {-r.returncode}" if r.returncode < 0 else f"exit {r.returncode}"
            return None, f"crash ({what}); stderr: {tail(r.stderr)}", r.stderr
        # Sanitizer reports do not always change the exit status.
        for marker in ("runtime error:", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer"):
            if marker in r.stderr:
                return None, f"sanitizer report; stderr: {tail(r.stderr)}", r.stderr
        if not os.path.exists(eve):
            return None, "no EVE file written", r.stderr
        events = []
        with open(eve, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    ev = json.loads(line)
                except json.JSONDecodeError as e:
                    return None, f"EVE line {n} is not JSON: {e}", r.stderr
                if not isinstance(ev, dict):
                    return None, f"EVE line {n} is not a JSON object", r.stderr
                events.append(ev)
        return events, None, r.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


IDENTITY_KEYS = ("src_ip", "dest_ip", "src_port", "dest_port", "proto", "flow_id")


def miss_reason(match, events):
    """(groupable reason, detail) for a check whose count is off: narrows the
    records of the check's event_type key by key, the 5-tuple first, and
    names the key that left none."""
    et = match.get("event_type")
    cands = [e for e in events if e.get("event_type") == et]
    if not cands:
        return f"no {et} records", ""
    keys = [k for k in match if k in IDENTITY_KEYS] + \
        [k for k in match if k not in IDENTITY_KEYS and k != "event_type"]
    for key in keys:
        expected = match[key]
        left = [e for e in cands if key_matches(key, expected, e)]
        if left:
            cands = left
            continue
        if key in ("has-key", "not-has-key"):
            return (f"{expected} not emitted" if key == "has-key" else f"{expected} always present"), ""
        field = re.sub(r"\.__(len|find|contains|startswith|endswith)$", "", key)
        seen = [find_value(key, e) for e in cands if find_value(field, e) is not None]
        if not seen:
            return f"{field} not emitted", ""
        sample = sorted({json.dumps(v, ensure_ascii=False)[:80] for v in seen})[:3]
        return f"{field} value differs", f"want {json.dumps(expected, ensure_ascii=False)[:80]}, got {', '.join(sample)}"
    return "count differs", ""


def evaluate(test, opensocd, timeout):
    """Result dict for one test."""
    res = {"name": test.name, "status": "N/A", "reason": None, "checks": []}
    pcaps = test.pcaps()
    gap = test.test_gap()
    checks = test.checks()
    applicable = [(i, f) for i, f, g in checks if g is None]
    # No applicable check is the more telling reason: say it first.
    if not applicable and not test.load_error:
        kinds = sorted({g for _, _, g in checks})
        gap = "no applicable checks (" + "; ".join(kinds[:4]) + (", ..." if len(kinds) > 4 else "") + ")" \
            if checks else "no checks"
    if gap is None and not pcaps:
        gap = "no capture"
    res["reason"] = gap
    if not pcaps:
        return res
    events, err = ingest(opensocd, pcaps, timeout)
    if err:
        res["status"] = "FAIL"
        res["crash"] = True
        res["reason"] = err
        return res
    if gap is not None:
        return res
    res["status"] = "PASS"
    for i, f in applicable:
        match = f.get("match") or {}
        want = f.get("count")
        got = count_matches(match, events)
        ok = got == want
        c = {"index": i, "match": match, "expected": want, "got": got, "ok": ok}
        if not ok:
            c["reason"], c["detail"] = miss_reason(match, events)
            res["status"] = "FAIL"
        res["checks"].append(c)
    return res


# --- alerts mode: the test's rules through opensocd's rule engine ---

# Alert fields opensocd writes. A check on any other key (payload, packet,
# flow counters, app-layer metadata on the alert ...) tests
# what only Suricata's alert logger adds, so it is N/A.
OUR_ALERT_KEYS = {"event_type", "alert.signature_id", "alert.rev", "alert.signature", "alert.category",
                  "alert.severity", "alert.gid", "alert.action", "src_ip", "dest_ip", "src_port",
                  "dest_port", "proto", "flow_id", "community_id", "app_proto", "pcap_cnt", "tx_id"}
# Behavioural detectors and intel alert with these ids; Suricata has no such
# alerts (the config below turns the detectors off; this is the backstop).
OWN_SIGNATURE_IDS_FROM = 9000000
# Only signature rules are compared: every behavioural detector off.
ALERTS_CONFIG = """detectors:
  enabled: true
  volume:
    enabled: false
  dns_tunnel:
    enabled: false
  beacon:
    enabled: false
  scan:
    enabled: false
  new_destination:
    enabled: false
"""
# How opensocd logs a rule its parser refused (packet_store.cpp).
RULE_ERROR_LINE = re.compile(r"rules: (.+?):(\d+): sid (\d+): (.*)$")
RULE_SID = re.compile(r"(?:^|[;(\s])sid\s*:\s*(\d+)")


def alert_check_gap(check):
    """Why one alert filter check is not applicable to opensocd, or None."""
    match = check.get("match") or {}
    if match.get("event_type") != "alert":
        return "not an alert check"
    if check.get("filename") not in (None, "eve.json"):
        return f"reads {check['filename']} (a second EVE output)"
    for key, val in match.items():
        # A field opensocd never writes is correctly absent.
        if key == "not-has-key":
            continue
        if key in ("app_proto", "app_proto_ts", "app_proto_tc") and val not in OUR_APP_PROTOS:
            return f"{key} {val} (no opensocd parser)"
        field = val if key == "has-key" else key
        field = re.sub(r"\.__\w+$", "", str(field))
        if field not in OUR_ALERT_KEYS:
            return f"{field} (not in opensocd alerts)"
    return check_requirement_gap(check)


def rules_in(path):
    """[(first line, last line, sid or None)] for every rule in a .rules
    file: comments and blank lines skipped, `\\` continuations joined."""
    out = []
    start, text = None, ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if start is None:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                start, text = n, ""
            if line.endswith("\\"):
                text += line[:-1]
                continue
            text += line
            m = RULE_SID.search(text)
            out.append((start, n, int(m.group(1)) if m else None))
            start = None
    if start is not None:
        m = RULE_SID.search(text)
        out.append((start, start, int(m.group(1)) if m else None))
    return out


def rejected_rules(stderr, rules):
    """[(sid or None, message)] for the rule errors opensocd logged. A
    syntax error comes with sid 0; the sid is then read from the line."""
    out = []
    for line in (stderr or "").splitlines():
        m = RULE_ERROR_LINE.search(line)
        if not m:
            continue
        lineno, sid, message = int(m.group(2)), int(m.group(3)), m.group(4).strip()
        if sid == 0:
            sid = next((s for first, last, s in rules if first <= lineno <= last), None)
        out.append((sid, message))
    return out


def suricata_yaml_vars(path):
    """Rule variables a test's suricata.yaml defines, as `rules: vars:`
    config for opensocd (Suricata expands them the same way)."""
    if not os.path.exists(path):
        return ""
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"^%YAML.*$", "", text, flags=re.M)
    text = re.sub(r"^---\s*$", "", text, flags=re.M)
    try:
        conf = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return ""
    groups = (conf.get("vars") or {}) if isinstance(conf, dict) else {}
    lines = []
    for kind in ("address-groups", "port-groups"):
        for name, value in ((groups.get(kind) or {}) if isinstance(groups, dict) else {}).items():
            lines.append(f"    {name}: {json.dumps(str(value))}")
    return "rules:\n  vars:\n" + "\n".join(lines) + "\n" if lines else ""


def alert_miss_reason(match, events, want, got):
    """(groupable reason, detail) for an alert check whose count is off:
    the sid never fired, it fired too often or too rarely, or its alerts
    differ in the named field."""
    want_sid = match.get("alert.signature_id")
    alerts = [e for e in events if e.get("event_type") == "alert"]
    if want_sid is not None:
        alerts = [e for e in alerts if find_value("alert.signature_id", e) == want_sid]
        if not alerts:
            return "sid never alerted", ""
    if got > want:
        return "too many alerts", ""
    if got > 0:
        return "too few alerts", ""
    rest = {k: v for k, v in match.items() if k != "alert.signature_id"}
    reason, detail = miss_reason(rest, alerts)
    return ("too few alerts", "") if reason == "count differs" else (reason, detail)


def is_alerts_test(test):
    """A test the alerts mode compares: a rules file and an alert filter."""
    if not glob.glob(os.path.join(test.dir, "*.rules")):
        return False
    return any(f is not None and (f.get("match") or {}).get("event_type") == "alert"
               for _, f, _ in test.checks())


def evaluate_alerts(test, opensocd, timeout):
    """Result dict for one test in alerts mode: its alert checks only."""
    res = {"name": test.name, "status": "N/A", "reason": None, "checks": []}
    pcaps = test.pcaps()
    gap = test.test_gap(for_alerts=True)
    checks = [(i, f, alert_check_gap(f)) for i, f, _ in test.checks()
              if f is not None and (f.get("match") or {}).get("event_type") == "alert"]
    applicable = [(i, f) for i, f, g in checks if g is None]
    if not applicable and not test.load_error:
        kinds = sorted({g for _, _, g in checks})
        gap = "no applicable alert checks (" + "; ".join(kinds[:4]) + (", ..." if len(kinds) > 4 else "") + ")"
    rules_files = sorted(glob.glob(os.path.join(test.dir, "*.rules")))
    if gap is None and len(rules_files) != 1:
        gap = "more than one rules file"
    if gap is None and not pcaps:
        gap = "no capture"
    res["reason"] = gap
    if gap is not None or not pcaps:
        return res
    extra = ALERTS_CONFIG + suricata_yaml_vars(os.path.join(test.dir, "suricata.yaml"))
    events, err, stderr = run_ingest(opensocd, pcaps, timeout, rules_files, extra)
    if err:
        res["status"] = "FAIL"
        res["crash"] = True
        res["reason"] = err
        return res
    # A check counting alerts of a sid (or of every rule, without one) can
    # only be met when that rule loaded.
    rejected = rejected_rules(stderr, rules_in(rules_files[0]))
    res["rejected"] = [{"sid": s, "message": m} for s, m in rejected]
    for _, f in applicable:
        sid = (f.get("match") or {}).get("alert.signature_id")
        for rsid, message in rejected:
            if sid is None or rsid is None or rsid == sid:
                res["reason"] = f"rule sid {rsid} rejected: {message}" if rsid is not None \
                    else f"a rule without sid rejected: {message}"
                return res
    events = [e for e in events if not (e.get("event_type") == "alert" and isinstance(
        find_value("alert.signature_id", e), int) and find_value("alert.signature_id", e) >= OWN_SIGNATURE_IDS_FROM)]
    res["status"] = "PASS"
    for i, f in applicable:
        match = f.get("match") or {}
        want = f.get("count")
        got = count_matches(match, events)
        ok = got == want
        c = {"index": i, "match": match, "expected": want, "got": got, "ok": ok}
        if not ok:
            c["reason"], c["detail"] = alert_miss_reason(match, events, want, got)
            res["status"] = "FAIL"
        res["checks"].append(c)
    return res


def self_test():
    """The matching rules against hand-made events; returns failures."""
    ev = {"event_type": "dns", "src_ip": "10.0.0.1", "ether": {"dest_mac": "aa"},
          "dns": {"type": "response", "rrname": "Example.COM", "answers": [{"rrname": "a"}, {"rrname": "b"}],
                  "flags": "8180", "id": 0, "ttl": 5},
          "http": {"request_headers": [{"name": "Host"}] * 9, "url": "/index.html"}}
    alert_ev = {"event_type": "alert", "src_port": 1234, "alert": {"signature_id": 1, "gid": 1}}
    cases = [
        (find_value("dns.answers[1].rrname", ev), "b"),
        (find_value("dns.answers[2].rrname", ev), None),
        (find_value("dns.missing.deeper", ev), None),
        (find_value("dns.rrname[0]", ev), "E"),
        (find_value("http.request_headers.__len", ev), 9),
        (find_value("dns.ttl.__len", ev), -1),
        (find_value("dns.answers.__len", ev), 2),
        (key_matches("has-key", "ether.dest_mac", ev), True),
        (key_matches("has-key", "dns.id", ev), True),  # 0 is present, not missing
        (key_matches("not-has-key", "ether", ev), False),
        (key_matches("not-has-key", "vlan", ev), True),
        (key_matches("http.url.__endswith", ".html", ev), True),
        (key_matches("http.url.__startswith", "/idx", ev), False),
        (key_matches("http.url.__find", "dex", ev), True),
        (key_matches("dns.answers.__contains", {"rrname": "a"}, ev), True),
        (key_matches("dns.nothere.__endswith", "x", ev), False),
        (key_matches("dns.id", 0, ev), True),
        (key_matches("dns.id", "0", ev), False),  # types must agree, as upstream
        (key_matches("dns.rrname", "example.com", ev), False),  # case matters
        (count_matches({"event_type": "dns", "dns.type": "response"}, [ev, ev, {"event_type": "flow"}]), 2),
        (count_matches({"event_type": "dns", "dns.type": "query"}, [ev]), 0),
        (miss_reason({"event_type": "tls", "tls.sni": "x"}, [ev])[0], "no tls records"),
        (miss_reason({"event_type": "dns", "dns.grouped.A[0]": "1.2.3.4"}, [ev])[0], "dns.grouped.A[0] not emitted"),
        (miss_reason({"event_type": "dns", "dns.rrname": "x"}, [ev]), ("dns.rrname value differs",
                                                                         'want "x", got "Example.COM"')),
        (miss_reason({"event_type": "dns", "not-has-key": "ether"}, [ev])[0], "ether always present"),
        # The 5-tuple narrows first: a wrong rrname on the right flow is the culprit.
        (miss_reason({"event_type": "dns", "dns.rrname": "Example.COM", "src_ip": "10.9.9.9"}, [ev])[0],
         "src_ip value differs"),
        (check_gap({"count": 1, "match": {"event_type": "flow", "app_proto": "dnp3"}}),
         "app_proto dnp3 (no opensocd parser)"),
        (check_gap({"count": 1, "match": {"event_type": "flow", "app_proto": "failed"}}), None),
        (check_gap({"count": 1, "match": {"event_type": "flow", "flow.alerted": True}}),
         "flow.alerted true (needs rule alerts)"),
        (requirement_gap({"min-version": "8.0.5"}), None),
        (requirement_gap({"min-version": "9"}), "requires Suricata >= 9"),
        (requirement_gap({"lt-version": "8"}), "for Suricata < 8"),
        (requirement_gap({"features": ["HAVE_LUA"]}), "requires Suricata build features HAVE_LUA"),
        (check_gap({"count": 1, "match": {"event_type": "alert"}}), "event_type alert"),
        (check_gap({"count": 1, "match": {"dns.type": "query"}}), "filter without event_type"),
        (check_gap({"count": 1, "min-version": "9", "match": {"event_type": "dns"}}), "requires Suricata >= 9"),
        (check_gap({"count": 1, "match": {"event_type": "ssh"}}), None),
        (args_gap(["-k none", "--set stream.midstream=true"]), None),
        (args_gap(["-k none --set stream.inline=true"]), "args `--set stream.inline=true`"),
        (args_gap(["--set app-layer.protocols.smb.max-tx=3"]), None),
        (args_gap(["--set app-layer.protocols.dns.enabled=no"]), "args `--set app-layer.protocols.dns.enabled=no`"),
        # Alerts mode.
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "alert.signature_id": 1, "src_port": 80}}),
         None),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "pcap_cnt": 4}}), None),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "flow.pkts_toserver": 4}}),
         "flow.pkts_toserver (not in opensocd alerts)"),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "has-key": "packet"}}),
         "packet (not in opensocd alerts)"),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "not-has-key": "packet"}}), None),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "alert.signature__find": "x"}}),
         "alert.signature__find (not in opensocd alerts)"),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "alert.signature.__find": "x"}}), None),
        (alert_check_gap({"count": 1, "match": {"event_type": "alert", "app_proto": "smb"}}),
         "app_proto smb (no opensocd parser)"),
        (alert_check_gap({"count": 1, "min-version": "9", "match": {"event_type": "alert"}}),
         "requires Suricata >= 9"),
        (alert_check_gap({"count": 1, "match": {"event_type": "dns"}}), "not an alert check"),
        (rejected_rules("12:00:00 W rules: /t/test.rules:3: sid 0: bad header\n"
                        "x rules: /t/test.rules:5: sid 7: unsupported keyword 'byte_test'\nother line",
                        [(1, 1, 4), (2, 4, 5)]),
         [(5, "bad header"), (7, "unsupported keyword 'byte_test'")]),
        (alert_miss_reason({"event_type": "alert", "alert.signature_id": 2}, [alert_ev], 1, 0),
         ("sid never alerted", "")),
        (alert_miss_reason({"event_type": "alert", "alert.signature_id": 1}, [alert_ev, alert_ev], 1, 2),
         ("too many alerts", "")),
        (alert_miss_reason({"event_type": "alert", "alert.signature_id": 1}, [alert_ev, alert_ev], 3, 2),
         ("too few alerts", "")),
        (alert_miss_reason({"event_type": "alert", "alert.signature_id": 1, "src_port": 80}, [alert_ev], 1, 0)[0],
         "src_port value differs"),
        (alert_miss_reason({"event_type": "alert", "src_port": 80}, [alert_ev], 0, 1), ("too many alerts", "")),
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".rules") as f:
        f.write("# alert ip any any -> any any (sid:1;)\n\nalert tcp any any -> any any (msg:\"a\"; \\\n"
                "  content:\"x\"; sid:22;)\nalert ip any any -> any any (msg:\"no id\";)\n")
        f.flush()
        cases.append((rules_in(f.name), [(3, 4, 22), (5, 5, None)]))
    return [(i, got, want) for i, (got, want) in enumerate(cases) if got != want or type(got) is not type(want)]


def fmt_match(match):
    return json.dumps(match, ensure_ascii=False, sort_keys=False)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--opensocd", default=os.environ.get("OPENSOCD", os.path.join(root, "build", "src", "opensocd")))
    ap.add_argument("--corpus", default=os.environ.get("OPENSOC_CORPUS", os.path.join(root, "..", "shared", "corpus")))
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these tests")
    ap.add_argument("--json", metavar="OUT", help="write the machine-readable result here")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="per-test ingest timeout, seconds")
    ap.add_argument("--jobs", type=int, default=2, help="ingests run in parallel")
    ap.add_argument("--quiet", action="store_true", help="print only FAIL lines and the summary")
    ap.add_argument("--self-test", action="store_true", help="check the matching rules and exit")
    ap.add_argument("--alerts", action="store_true",
                    help="compare signature alerts instead: the tests with a rules file and alert checks, "
                         "ingested with --rules")
    a = ap.parse_args(argv)

    if a.self_test:
        failures = self_test()
        for i, got, want in failures:
            print(f"self-test case {i}: got {got!r}, want {want!r}")
        print(f"self-test: {'FAIL' if failures else 'ok'}")
        return 1 if failures else 0

    tests_dir = os.path.join(a.corpus, "suricata-verify", "tests")
    if not os.path.isdir(tests_dir):
        sys.exit(f"suricata_verify: no corpus at {tests_dir}")
    if not os.access(a.opensocd, os.X_OK):
        sys.exit(f"suricata_verify: opensocd not executable: {a.opensocd}")
    tests = discover(tests_dir)
    if a.only:
        wanted = set(a.only)
        tests = [t for t in tests if t.name in wanted or os.path.basename(t.dir) in wanted]
        found = {t.name for t in tests} | {os.path.basename(t.dir) for t in tests}
        if wanted - found:
            sys.exit(f"suricata_verify: unknown tests: {' '.join(sorted(wanted - found))}")
    run = evaluate
    if a.alerts:
        tests = [t for t in tests if is_alerts_test(t)]
        run = evaluate_alerts
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = list(pool.map(lambda t: run(t, a.opensocd, a.timeout), tests))

    fields = collections.defaultdict(lambda: {"pass": 0, "fail": 0, "failing_tests": set()})
    reasons = collections.defaultdict(set)
    for r in results:
        if r["status"] == "PASS" and not a.quiet:
            print(f"PASS {r['name']}")
        elif r["status"] == "N/A" and not a.quiet:
            print(f"N/A {r['name']}: {r['reason']}")
        elif r["status"] == "FAIL":
            if r.get("crash"):
                print(f"FAIL {r['name']}: {r['reason']}")
                reasons["opensocd crashed or timed out"].add(r["name"])
            for c in r["checks"]:
                if not c["ok"]:
                    print(f"FAIL {r['name']}: check #{c['index']} expected count {c['expected']} "
                          f"got {c['got']} ({c['reason']}{'; ' + c['detail'] if c['detail'] else ''}; "
                          f"match {fmt_match(c['match'])})")
                    reasons[c["match"]["event_type"] + ": " + c["reason"]].add(r["name"])
        for c in r["checks"]:
            et = c["match"]["event_type"]
            keys = [c["match"][k] if k in ("has-key", "not-has-key") else k for k in c["match"] if k != "event_type"]
            # [i] indexes and __len suffixes fold into the field they index.
            for field in {re.sub(r"\[\d+\]|\.__\w+$", "", str(k)) for k in keys} or {"(count only)"}:
                f = fields[f"{et}:{field}"]
                f["pass" if c["ok"] else "fail"] += 1
                if not c["ok"]:
                    f["failing_tests"].add(r["name"])

    totals = collections.Counter(r["status"] for r in results)
    crashes = [r["name"] for r in results if r.get("crash")]
    checks_run = sum(len(r["checks"]) for r in results)
    checks_ok = sum(c["ok"] for r in results for c in r["checks"])
    print()
    print("per field (checks that use it, passed/failed; most failing tests first):")
    order = sorted(fields, key=lambda f: (-len(fields[f]["failing_tests"]), -fields[f]["fail"], f))
    for field in order[:60]:
        fd = fields[field]
        print(f"  {field}: {fd['pass']} passed, {fd['fail']} failed (in {len(fd['failing_tests'])} tests)")
    if len(order) > 60:
        print(f"  ... {len(order) - 60} more fields (see --json)")
    print("failure reasons (tests):")
    for why in sorted(reasons, key=lambda w: (-len(reasons[w]), w)):
        print(f"  {why}: {len(reasons[why])} tests")
    if a.alerts:
        # Why tests are N/A, most common first: what the parser would have to
        # accept for more of the corpus to be compared.
        na = collections.Counter(re.sub(r"^rule sid \d+ rejected", "rule rejected", r["reason"])
                                 for r in results if r["status"] == "N/A")
        print("n/a reasons (tests):")
        for why, n in sorted(na.items(), key=lambda x: (-x[1], x[0]))[:40]:
            print(f"  {why}: {n} tests")
    print(f"checks: {checks_ok} passed, {checks_run - checks_ok} failed")
    print(f"tests: {totals['PASS']} passed, {totals['FAIL']} failed, {totals['N/A']} n/a, "
          f"{len(crashes)} crashed or timed out")

    if a.json:
        with open(a.json, "w") as f:
            json.dump({**({"mode": "alerts"} if a.alerts else {}), "emulated_suricata": "8.0.x",
                       "totals": {"pass": totals["PASS"], "fail": totals["FAIL"], "na": totals["N/A"],
                                  "crashed": len(crashes), "checks_passed": checks_ok,
                                  "checks_failed": checks_run - checks_ok},
                       "fields": {k: {"pass": v["pass"], "fail": v["fail"],
                                      "failing_tests": sorted(v["failing_tests"])} for k, v in fields.items()},
                       "reasons": {w: sorted(n) for w, n in reasons.items()},
                       "tests": results}, f, indent=1, ensure_ascii=False)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
