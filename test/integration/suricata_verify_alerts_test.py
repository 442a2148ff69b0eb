#!/usr/bin/env python3
"""Signature alerts against upstream expectations: every suricata-verify test
with a rules file and `event_type: alert` checks, ingested with
`opensocd ingest --rules` (scripts/suricata_verify.py --alerts). No test in
suricata_verify_alerts_baseline.txt may stop passing, and opensocd may not
crash or hang on any of these captures with their rules loaded. Tests that
newly pass are listed so the baseline can grow.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR [--update-baseline]
--update-baseline rewrites the baseline with every test passing now.
"""
from suricata_verify_baseline import run_against_baseline

# Every test with rules and alert checks is listed (PASS, FAIL or N/A): > 600.
run_against_baseline(
    "suricata-verify-alerts", "suricata_verify_alerts_test.py", "suricata_verify_alerts_baseline.txt",
    "suricata-verify tests whose alert checks opensocd's rule engine passes.",
    runner_args=["--alerts", "--jobs", "2"], min_tests=600, crash_what="with any test's rules",
    label="suricata-verify alerts", expect_mode="alerts", list_failing=True)
