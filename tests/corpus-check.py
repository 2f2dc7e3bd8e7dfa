#!/usr/bin/python3
"""Walk every file in ../shared/corpus/ and samples/ through `stuckscope
analyze --format json FILE` (the sanitizer build when given): no crash, no
hang, valid JSON against both schemas, and every input either read or
reported unreadable with a message naming the file. One line per file.
Usage: corpus-check.py [BINARY]"""
import json
import os
import subprocess
import sys

import jsonschema

BIN = sys.argv[1] if len(sys.argv) > 1 else "./stuckscope"
SHARED = os.environ.get("SHARED", "../shared")

def validators():
    out = []
    for path in (os.path.join(SHARED, "report.schema.json"), "doc/report.schema.json"):
        with open(path) as f:
            s = json.load(f)
        out.append(jsonschema.validators.validator_for(s)(s))
    return out

def files():
    roots = [os.path.join(SHARED, "corpus"), "samples"]
    for root in roots:
        for dirpath, dirnames, names in os.walk(root):
            dirnames.sort()
            if "/servers" in dirpath or dirpath.endswith("/lab") or "/lab/" in dirpath:
                continue  # code, not evidence
            for n in sorted(names):
                if n.endswith(".md"):
                    continue
                yield os.path.join(dirpath, n)

# What sniffing must recognise each file as (from where it lives / what it
# is named: the names are ours, the tool never looks at them).
PREFIXES = [("ss-", {"ss"}), ("netstat-antp", {"netstat"}), ("netstat-s", {"netstat-s"}),
            ("nstat", {"nstat"}), ("proc-net-tcp", {"proc-net-tcp"}),
            ("proc-net-netstat", {"proc-net-netstat"}), ("proc-net-snmp", {"proc-net-snmp"}),
            ("sysctl", {"sysctl"}), ("eu-stack", {"eu-stack"}), ("gdb-", {"gdb"}),
            ("pybt", {"py-bt"}), ("proc-task", {"proc-task"}), ("capture", {"pcap"}),
            ("dmesg", {"kernel-log"})]
CORPUS_DIRS = {"ss": {"ss"}, "netstat": {"netstat"}, "netstat-s": {"netstat-s"},
               "nstat": {"nstat"}, "sysctl": {"sysctl"}, "stacks": {"gdb", "pstack", "eu-stack"},
               "pcap": {"pcap"}}

def expected_kind(path):
    base = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    if "/corpus/" in path:
        if parent == "proc":
            for key, kind in (("-tcp", "proc-net-tcp"), ("netstat", "proc-net-netstat"),
                              ("snmp", "proc-net-snmp")):
                if key in base:
                    return {kind}
            return None
        return CORPUS_DIRS.get(parent)
    for prefix, kinds in PREFIXES:
        if base.startswith(prefix):
            return kinds
    return None

def check(path, vals):
    try:
        p = subprocess.run([BIN, "analyze", "--format", "json", path], capture_output=True,
                           timeout=120)
    except subprocess.TimeoutExpired:
        return "timed out"
    if p.returncode not in (0, 2):
        return f"exit {p.returncode}: {p.stderr.decode(errors='replace')[-300:]}"
    try:
        d = json.loads(p.stdout.decode("utf-8"))
    except Exception as e:
        return f"output is not JSON: {e}"
    for v in vals:
        for e in v.iter_errors(d):
            return f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:150]}"
    if len(d["inputs"]) != 1:
        return f"{len(d['inputs'])} inputs listed, want 1"
    i = d["inputs"][0]
    want = expected_kind(path)
    if want and i["kind"] not in want and i["status"] != "error":
        return f"recognised as {i['kind']}, want {'/'.join(sorted(want))}"
    if i["status"] == "error":
        if not i["messages"] or not any(path in m for m in i["messages"]):
            return "unreadable without a message naming the file"
        if p.returncode != 2:
            return "nothing readable but exit status is not 2"
    elif p.returncode != 0:
        return f"read but exit {p.returncode}"
    return None

def main():
    vals = validators()
    kinds = {}
    for path in files():
        err = check(path, vals)
        if err:
            print(f"FAIL corpus {path}: {err}")
        else:
            print(f"ok corpus {path}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
