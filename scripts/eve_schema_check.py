#!/usr/bin/env python3
"""Validates EVE JSON-lines files against Suricata's published EVE schema.

What it owns: loading the schema (default: <corpus>/eve-schema/schema.json),
picking the validator for the draft it declares, and checking every line of
every FILE. Prints "FILE:LINE: error" for each invalid line (all errors of
that line, most specific first) and a summary; exit 1 when any line is
invalid or unreadable, 2 on usage errors. Single-threaded command-line tool.

The schema declares no "$schema"; it uses "$defs" and "$ref" into it, which
every draft from 2019-09 on reads the same way, so the newest draft the
installed jsonschema knows (2020-12 for Debian 12's 4.10) is used. Nothing in
it needs a newer jsonschema than 4.10: the keywords it uses are type,
properties, additionalProperties, items, required, oneOf, const, enum,
pattern, minimum, minItems, minProperties, $ref and $defs; the rest
(description, title, $comment, and Suricata's own "suricata"/"keywords") are
annotations that validation ignores.
"""
import argparse
import json
import os
import sys

import jsonschema


def load_validator(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    newest = getattr(jsonschema, "Draft202012Validator", None) or jsonschema.Draft7Validator
    cls = jsonschema.validators.validator_for(schema, default=newest)
    cls.check_schema(schema)
    return cls(schema)


def check_file(validator, path, max_errors_per_line, out):
    """Returns (lines checked, invalid lines)."""
    checked = invalid = 0
    with open(path, encoding="utf-8", errors="strict") as f:
        n = 0
        while True:
            n += 1
            try:
                line = f.readline()
            except UnicodeDecodeError as e:
                out.write(f"{path}:{n}: not UTF-8: {e}\n")
                return checked, invalid + 1
            if not line:
                break
            if not line.strip():
                continue
            checked += 1
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                invalid += 1
                out.write(f"{path}:{n}: not JSON: {e}\n")
                continue
            errors = sorted(validator.iter_errors(event), key=lambda e: (-len(e.absolute_path), str(e.absolute_path)))
            if errors:
                invalid += 1
                et = event.get("event_type") if isinstance(event, dict) else None
                for e in errors[:max_errors_per_line]:
                    where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                    out.write(f"{path}:{n}: [{et}] {where}: {e.message}\n")
                if len(errors) > max_errors_per_line:
                    out.write(f"{path}:{n}: ... {len(errors) - max_errors_per_line} more errors\n")
    return checked, invalid


def main(argv=None):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    corpus = os.environ.get("OPENSOC_CORPUS", os.path.join(root, "..", "shared", "corpus"))
    ap = argparse.ArgumentParser(description="Validate EVE JSON lines against the EVE schema.")
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--schema", default=os.path.join(corpus, "eve-schema", "schema.json"))
    ap.add_argument("--max-errors", type=int, default=5, help="errors printed per invalid line")
    a = ap.parse_args(argv)

    try:
        validator = load_validator(a.schema)
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"eve_schema_check: cannot load schema {a.schema}: {e}", file=sys.stderr)
        return 2
    total = bad = 0
    for path in a.files:
        try:
            checked, invalid = check_file(validator, path, a.max_errors, sys.stdout)
        except OSError as e:
            print(f"{path}: cannot read: {e}")
            bad += 1
            continue
        total += checked
        bad += invalid
    print(f"eve_schema_check: {total} lines checked, {bad} invalid ({type(validator).__name__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
