#!/usr/bin/python3
"""The field corpus (issue 14): evidence nobody on this team recorded —
files from public repositories, byte-exact, and cases shaped like real
bug-report pastes (own values, the public shape) — each with the diagnosis
a user would check. One directory per case under tests/field/, holding the
files as they were saved and SOURCE.md (where each file comes from: repository,
path, commit and licence; or which public report a hand-written case imitates).
tests/field/EXPECT has one line per case:

    NAME [key=value]...

keys (every one optional; a value list is comma-separated):
    args=A,B          extra analyze options (e.g. args=--port,8080)
    verdict=V[|V2]    the verdict (one of)
    root=RULE         the root cause's rule, or none
    rules=R1,R2       findings that must be present
    norules=R1,R2     findings that must be absent
    listener=ADDR     the root cause's listener
    pids=P1,P2        the root cause's pids
    stuck=P1,P2       the processes classified stuck
    cw=PID:N,...      CLOSE-WAIT per pid
    kind=FILE:KIND,.. the kind each file was read as
    status=FILE:ST,.. ok, partial or error per file
    fact=RULE.NAME:V  a fact of the first finding of RULE
    notverdict=V      the verdict must not be V (e.g. healthy)
    confmax=RULE:X    the first RULE finding's confidence is at most X

A case whose evidence depends on file times (names before/after, a tar or
scp that kept them) lists them in MTIMES ("FILE 2026-11-25T09:14:02Z" per
line): git does not keep mtimes, so the case is copied to a temporary
directory and its files are stamped before it is analyzed.

Prints "ok field NAME" / "FAIL field NAME: ..." per case.
Usage: field.py STUCKSCOPE"""
import calendar
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIELD = os.path.join(HERE, "field")


def lst(v):
    return [x for x in v.split(",") if x]


def check(want, d):
    errs = []
    by_id = {f["id"]: f for f in d["findings"]}
    root = by_id.get(d["root_cause"]) if d["root_cause"] else None
    rules = [f["rule"] for f in d["findings"]]
    inputs = {os.path.basename(i["path"]): i for i in d["inputs"]}
    for k, v in want.items():
        if k == "args":
            continue
        if k == "verdict":
            if d["verdict"] not in v.split("|"):
                errs.append(f"verdict {d['verdict']}, want {v}")
        elif k == "notverdict":
            if d["verdict"] == v:
                errs.append(f"verdict {d['verdict']}")
        elif k == "root":
            got = root["rule"] if root else "none"
            if got != v:
                errs.append(f"root cause {got}, want {v}")
        elif k == "rules":
            missing = [r for r in lst(v) if r not in rules]
            if missing:
                errs.append(f"missing findings {missing} (have {sorted(set(rules))})")
        elif k == "norules":
            extra = [r for r in lst(v) if r in rules]
            if extra:
                errs.append(f"unexpected findings {extra}")
        elif k == "listener":
            got = root["listener"] if root else None
            if got != v:
                errs.append(f"root listener {got}, want {v}")
        elif k == "pids":
            got = sorted(root["pids"]) if root else []
            if got != sorted(int(x) for x in lst(v)):
                errs.append(f"root pids {got}, want {v}")
        elif k == "stuck":
            got = sorted(p["pid"] for p in d["processes"] if p["state"] == "stuck")
            if got != sorted(int(x) for x in lst(v)):
                errs.append(f"stuck pids {got}, want {v}")
        elif k == "cw":
            got = {p["pid"]: p["close_wait"] for p in d["processes"] if p["close_wait"]}
            exp = {int(a): int(b) for a, b in (x.split(":") for x in lst(v))}
            if got != exp:
                errs.append(f"CLOSE-WAIT per pid {got}, want {exp}")
        elif k in ("kind", "status"):
            for pair in lst(v):
                name, _, exp = pair.rpartition(":")
                i = inputs.get(name)
                got = i[k] if i else "(not an input)"
                if got != exp:
                    errs.append(f"{name}: {k} {got}, want {exp}")
        elif k == "fact":
            for pair in lst(v):
                key, _, exp = pair.rpartition(":")
                rule, _, fact = key.partition(".")
                fs = [f for f in d["findings"] if f["rule"] == rule]
                got = fs[0]["facts"].get(fact) if fs else None
                if str(got) != exp:
                    errs.append(f"{rule}.{fact} {got}, want {exp}")
        elif k == "confmax":
            rule, _, x = v.partition(":")
            fs = [f for f in d["findings"] if f["rule"] == rule]
            if not fs or fs[0]["confidence"] > float(x):
                errs.append(f"{rule} confidence {fs[0]['confidence'] if fs else None}, want <= {x}")
        elif k not in ("args",):
            errs.append(f"unknown key {k}")
    return errs


def main():
    binary = sys.argv[1]
    seen = set()
    with open(os.path.join(FIELD, "EXPECT")) as f:
        lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
    for parts in lines:
        name, want = parts[0], dict(p.split("=", 1) for p in parts[1:])
        seen.add(name)
        case = os.path.join(FIELD, name)
        if not os.path.isdir(case):
            print(f"FAIL field {name}: no directory tests/field/{name}")
            continue
        if not os.path.exists(os.path.join(case, "SOURCE.md")):
            print(f"FAIL field {name}: no SOURCE.md saying where its files come from")
            continue
        args = lst(want.get("args", ""))
        tmp = None
        if os.path.exists(os.path.join(case, "MTIMES")):
            tmp = tempfile.mkdtemp(prefix="stk-field-")
            dst = os.path.join(tmp, name)
            shutil.copytree(case, dst)
            for line in open(os.path.join(case, "MTIMES")):
                if line.strip() and not line.startswith("#"):
                    fn, iso = line.split()
                    t = calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))
                    os.utime(os.path.join(dst, fn), (t, t))
            os.unlink(os.path.join(dst, "MTIMES"))
            case = dst
        try:
            r = subprocess.run([binary, "analyze", "--format", "json", *args, case],
                               capture_output=True, timeout=120)
        finally:
            if tmp:
                shutil.rmtree(tmp)
        try:
            d = json.loads(r.stdout)
        except ValueError:
            print(f"FAIL field {name}: exit {r.returncode}, no JSON: {r.stderr[:300]!r}")
            continue
        errs = check(want, d)
        print(f"FAIL field {name}: " + "; ".join(errs) if errs else f"ok field {name}")
    for name in sorted(os.listdir(FIELD)):
        if os.path.isdir(os.path.join(FIELD, name)) and name not in seen:
            print(f"FAIL field {name}: no line in tests/field/EXPECT")


if __name__ == "__main__":
    main()
