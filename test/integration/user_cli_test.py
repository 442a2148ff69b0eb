#!/usr/bin/env python3
"""`opensocd user ...` through the real binary (issue 7): users added with
--password-stdin, listed as JSON, changed and removed; API tokens printed once
and revoked; the users file mode 0600; exit codes (0 ok, 1 runtime failure,
2 usage); one audit line per change; and no password text in the users file,
the audit log or any output."""
import json
import os
import pwd
import stat

from harness import Checks, args, run, temp_dir, write_config

opensocd, root, corpus = args()
c = Checks("user-cli")

PASSWORDS = ["alice-Pa55word-for-test", "bob's other passw0rd", "alice-second-Pa55word"]

with temp_dir() as d:
    data = os.path.join(d, "data")
    cfg = write_config(os.path.join(d, "opensoc.yaml"),
                       f"data_dir: {data}\nauth:\n  enabled: true\n  users_file: users.json\n"
                       f"audit:\n  path: audit.log\n")
    users_file = os.path.join(data, "users.json")
    audit_file = os.path.join(data, "audit.log")
    outputs = []

    def user(*argv, stdin=None, new_session=False):
        r = run([opensocd, "user", "-c", cfg, *argv], input=stdin, start_new_session=new_session)
        outputs.append(r.stdout + r.stderr)
        return r

    r = user("add", "alice", "--role", "admin", "--password-stdin", stdin=PASSWORDS[0] + "\n")
    c.check(r.returncode == 0, "user add alice exits 0", r.stderr)
    r = user("add", "bob", "--role", "viewer", "--scope", "10.0.0.0/8", "--cert-subject", "CN=bob,O=SOC",
             "--password-stdin", stdin=PASSWORDS[1] + "\r\n")
    c.check(r.returncode == 0, "user add bob with scope and certificate subject exits 0", r.stderr)

    c.check(os.path.exists(users_file), "the users file is created under data_dir")
    mode = stat.S_IMODE(os.stat(users_file).st_mode)
    c.equal(oct(mode), oct(0o600), "the users file has mode 0600")

    r = user("list", "--json")
    c.equal(r.returncode, 0, "user list --json exits 0")
    try:
        listed = {u["name"]: u for u in json.loads(r.stdout)["users"]}
    except (ValueError, KeyError) as e:
        listed = {}
        c.check(False, "user list --json prints JSON", f"{e}: {r.stdout!r}")
    c.equal(sorted(listed), ["alice", "bob"], "list --json names both users")
    if "bob" in listed:
        b = listed["bob"]
        c.equal(b.get("role"), "viewer", "bob's role is listed")
        c.equal(b.get("scope"), ["10.0.0.0/8"], "bob's scope is listed")
        c.equal(b.get("cert_subjects"), ["CN=bob,O=SOC"], "bob's certificate subject is listed")
        c.equal((b.get("tokens_live"), b.get("tokens_total"), b.get("disabled")), (0, 0, False),
                "bob has no tokens and is enabled")
    if "alice" in listed:
        c.equal(listed["alice"].get("role"), "admin", "alice's role is listed")

    r = user("list")
    lines = r.stdout.splitlines()
    c.check(r.returncode == 0 and len(lines) == 3 and lines[0].split()[:5] == ["NAME", "ROLE", "SCOPE", "TOKENS", "DISABLED"],
            "user list prints a header and one row per user", r.stdout)
    c.check(any(l.split()[:5] == ["bob", "viewer", "10.0.0.0/8", "0/0", "no"] for l in lines[1:]),
            "the table row shows name, role, scope, tokens and state", r.stdout)

    before = open(users_file, "rb").read()
    r = user("add", "alice", "--role", "viewer", "--password-stdin", stdin="another-password-1\n")
    c.check(r.returncode == 1 and "already exists" in r.stderr, "a duplicate add exits 1 and says so", r.stderr)
    c.equal(open(users_file, "rb").read(), before, "a duplicate add leaves the users file unchanged")

    r = user("add", "carol", "--password-stdin", stdin="whatever-password\n")
    c.check(r.returncode == 2 and "--role is required" in r.stderr, "add without --role is a usage error (2)", r.stderr)
    r = user("add", "carol", "--role", "root", "--password-stdin", stdin="whatever-password\n")
    c.check(r.returncode == 2 and "unknown role 'root'" in r.stderr, "an unknown role is a usage error (2)", r.stderr)
    r = user("frobnicate")
    c.check(r.returncode == 2 and "unknown verb 'frobnicate'" in r.stderr, "an unknown verb is a usage error (2)", r.stderr)
    r = user("del", "nobody-here")
    c.check(r.returncode == 1 and "no user 'nobody-here'" in r.stderr, "deleting an unknown user exits 1", r.stderr)

    # No terminal and no --password-stdin: refused, and stdin is not read.
    r = user("passwd", "alice", stdin="not-read-at-all\n", new_session=True)
    c.check(r.returncode == 1 and "--password-stdin" in r.stderr,
            "passwd without a terminal exits 1 and points at --password-stdin", r.stderr)

    r = user("passwd", "alice", "--password-stdin", stdin=PASSWORDS[2] + "\n")
    c.check(r.returncode == 0, "user passwd --password-stdin exits 0", r.stderr)

    r = user("token", "add", "alice", "--label", "grafana", "--expires", "30d")
    token = r.stdout.strip()
    c.check(r.returncode == 0 and r.stdout.count("\n") == 1 and token.startswith("ost_"),
            "token add prints the token alone on stdout", repr(r.stdout))
    r = user("token", "list", "alice", "--json")
    try:
        tokens = json.loads(r.stdout)["tokens"]
    except (ValueError, KeyError):
        tokens = []
    c.check(len(tokens) == 1 and tokens[0].get("label") == "grafana" and tokens[0].get("state") == "live"
            and tokens[0].get("expires"), "token list --json shows the live token with its label and expiry", r.stdout)
    token_id = tokens[0]["id"] if tokens else "x"
    c.check(token_id in token, "the token's id is part of the token text")
    c.check(token not in open(users_file).read(), "the token text is not stored in the users file")
    r = user("token", "revoke", token_id)
    c.check(r.returncode == 0, "token revoke exits 0", r.stderr)
    r = user("token", "list", "--json")
    c.check('"state":"revoked"' in r.stdout, "the revoked token is listed as revoked", r.stdout)

    r = user("role", "bob", "analyst")
    c.check(r.returncode == 0, "user role exits 0", r.stderr)
    r = user("del", "bob")
    c.check(r.returncode == 0, "user del exits 0", r.stderr)
    r = user("list", "--json")
    c.equal([u["name"] for u in json.loads(r.stdout)["users"]], ["alice"], "bob is gone after del")

    # The audit log: one line per change attempted, from "cli", in order.
    try:
        audit = [json.loads(l) for l in open(audit_file)]
    except (OSError, ValueError) as e:
        audit = []
        c.check(False, "the audit log is JSON lines", str(e))
    actions = [(a.get("action"), a.get("outcome"), a.get("target")) for a in audit]
    c.equal(actions, [("user.add", "ok", "alice"), ("user.add", "ok", "bob"), ("user.passwd", "ok", "alice"),
                      ("token.create", "ok", "alice"), ("token.revoke", "ok", "alice"), ("user.role", "ok", "bob"),
                      ("user.del", "ok", "bob")],
            "each change wrote one audit line with its action, outcome and target")
    c.check(all(a.get("source") == "cli" and a.get("user") for a in audit), "audit lines name source cli and a user")
    expected_actor = os.environ.get("SUDO_USER") or None
    if expected_actor:
        c.check(all(a.get("user") == expected_actor for a in audit), "the audit user is $SUDO_USER")

    stored = open(users_file, encoding="utf-8", errors="replace").read()
    logged = open(audit_file, encoding="utf-8", errors="replace").read() if os.path.exists(audit_file) else ""
    for p in PASSWORDS:
        c.check(p not in stored, f"password {PASSWORDS.index(p)} is not in the users file")
        c.check(p not in logged, f"password {PASSWORDS.index(p)} is not in the audit log")
        c.check(all(p not in o for o in outputs), f"password {PASSWORDS.index(p)} is in no command output")
    c.check(token not in logged, "the token text is not in the audit log")

    # --data-dir moves the users file like the other commands' data.
    other = os.path.join(d, "other")
    r = run([opensocd, "user", "-c", cfg, "--data-dir", other, "list", "--json"])
    c.check(r.returncode == 0 and json.loads(r.stdout or "{}").get("users") == [], "--data-dir reads another users file",
            r.stdout + r.stderr)

    # As root, the file is given to the daemon's account (privileges.user).
    if os.geteuid() == 0:
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            nobody = None
        if nobody:
            cfg2 = write_config(os.path.join(d, "chown.yaml"),
                                f"data_dir: {os.path.join(d, 'chown')}\nprivileges:\n  user: nobody\n")
            r = run([opensocd, "user", "-c", cfg2, "add", "dave", "--role", "viewer", "--password-stdin"],
                    input="dave-Pa55word-long\n")
            st = os.stat(os.path.join(d, "chown", "users.json"))
            c.check(r.returncode == 0 and st.st_uid == nobody.pw_uid,
                    "as root, the users file is chowned to privileges.user", r.stderr)

    r = run([opensocd, "user", "--help"])
    c.check(r.returncode == 0 and "usage: opensocd user" in r.stdout and "token add" in r.stdout,
            "user --help lists the verbs", r.stdout)
    r = run([opensocd, "preflight", "--help"])
    c.check(r.returncode == 0 and "usage: opensocd preflight" in r.stdout, "preflight --help shows its usage", r.stdout)

c.finish()
