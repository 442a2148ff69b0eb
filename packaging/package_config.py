#!/usr/bin/env python3
"""Writes the packaged /etc/opensoc/opensoc.yaml: the documented reference
(config/opensoc.yaml) with the few values an installed appliance needs
changed in place, so every comment of the reference stays with its key.

Run at build time by packaging/meson.build: packaging/package_config.py IN OUT.
A key the reference does not have is added under its section (or the section
is appended); a key written in flow style ({...}) cannot be edited in place
and fails the build, as does an output whose YAML does not read back with
exactly these values.
"""
import re
import sys

import yaml

# What differs from the reference, and why (repeated in the file's header).
PACKAGED_VALUES = [
    (("data_dir",), "/var/lib/opensoc"),             # StateDirectory of the unit
    (("http", "listen"), "127.0.0.1:8443"),          # HTTPS port, loopback only
    (("http", "tls", "enabled"), True),              # the pair postinst creates
    (("http", "tls", "cert"), "/etc/opensoc/tls/server.crt"),
    (("http", "tls", "key"), "/etc/opensoc/tls/server.key"),
    (("auth", "enabled"), True),
    (("audit", "path"), "/var/log/opensoc/audit.log"),  # rotated by /etc/logrotate.d/opensoc
    (("privileges", "user"), "opensoc"),             # created by the package
]

HEADER = """\
# Installed by the opensoc package (a dpkg conffile / rpm %config(noreplace):
# your edits survive upgrades). It is the documented reference configuration
# with these values changed for an appliance run by systemd:
#   data_dir /var/lib/opensoc, http.listen 127.0.0.1:8443 with http.tls on
#   (the self-signed pair in /etc/opensoc/tls/, made at install if missing),
#   auth on, audit.path /var/log/opensoc/audit.log, privileges.user opensoc.
# capture.ports below names an example PCI address: set your NIC's, then run
# `opensocd preflight` and `systemctl start opensocd`.
#
"""

KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)$")


def scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def key_lines(lines):
    """(line index, indent, key path) of every block-mapping key; list items
    and what is nested in them are skipped (no packaged key lives there)."""
    stack = []  # (indent, key)
    out = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        m = KEY_LINE.match(line)
        if not m:
            # A list item ("- ...") or a continuation: its keys are not ours,
            # but it closes nothing above it.
            stack.append((indent, None))
            continue
        stack.append((indent, m.group("key")))
        if all(k is not None for _, k in stack):
            out.append((i, indent, tuple(k for _, k in stack)))
    return out


def block_end(lines, i, indent):
    """Index just past the last content line of the block under line i, so
    an added key goes at the end of its section, before the comments that
    introduce the next one."""
    end = i + 1
    for j in range(i + 1, len(lines)):
        stripped = lines[j].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[j]) - len(lines[j].lstrip(" ")) <= indent:
            break
        end = j + 1
    return end


def set_value(lines, path, value):
    found = {p: (i, ind) for i, ind, p in key_lines(lines)}
    if path in found:
        i, _ = found[path]
        m = KEY_LINE.match(lines[i])
        rest = m.group("rest")
        comment = ""
        # Keep a trailing comment; values we edit never contain " #".
        if " #" in rest:
            comment = "  " + rest[rest.index(" #"):].strip()
        if rest.strip().startswith(("{", "[", "|", ">")):
            sys.exit(f"package_config: {'.'.join(path)} is not a plain scalar in the reference")
        lines[i] = f"{m.group('indent')}{m.group('key')}: {scalar(value)}{comment}"
        return
    # Missing: add it under the deepest existing parent, creating the rest.
    depth = len(path) - 1
    while depth > 0 and path[:depth] not in found:
        depth -= 1
    if depth == 0:
        insert_at = len(lines)
        while insert_at > 0 and not lines[insert_at - 1].strip():
            insert_at -= 1
        base_indent = 0
        lines.insert(insert_at, "")
        insert_at += 1
    else:
        i, ind = found[path[:depth]]
        if KEY_LINE.match(lines[i]).group("rest").split("#")[0].strip():
            sys.exit(f"package_config: {'.'.join(path[:depth])} is written in flow style in the reference")
        insert_at = block_end(lines, i, ind)
        base_indent = ind + 2
    new = []
    for level, key in enumerate(path[depth:]):
        indent = " " * (base_indent + 2 * level)
        last = level == len(path) - depth - 1
        new.append(f"{indent}{key}: {scalar(value)}" if last else f"{indent}{key}:")
    lines[insert_at:insert_at] = new


def lookup(doc, path):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: package_config.py REFERENCE_YAML OUTPUT_YAML")
    with open(sys.argv[1], encoding="utf-8") as f:
        lines = f.read().split("\n")
    for path, value in PACKAGED_VALUES:
        set_value(lines, path, value)
    text = HEADER + "\n".join(lines)
    doc = yaml.safe_load(text)
    for path, value in PACKAGED_VALUES:
        got = lookup(doc, path)
        if got != value:
            sys.exit(f"package_config: {'.'.join(path)} reads back as {got!r}, want {value!r}")
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
