#!/usr/bin/env python3
"""The suricata-verify corpus through `opensocd ingest --eve-out`
(scripts/suricata_verify.py): no test in suricata_verify_baseline.txt may
stop passing, and opensocd may not crash or hang on any corpus capture.
Tests that newly pass are listed so the baseline can grow.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]
--update-baseline rewrites the baseline with every test passing now.
"""
from suricata_verify_baseline import run_against_baseline

run_against_baseline(
    "suricata-verify", "suricata_verify_test.py", "suricata_verify_baseline.txt",
    "suricata-verify tests whose dns/http/tls/ssh/flow checks opensocd passes.",
    runner_args=[], min_tests=400, crash_what="on any corpus capture", label="suricata-verify")
