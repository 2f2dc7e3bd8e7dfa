#!/usr/bin/python3
"""Walk every file in ../shared/corpus/ and samples/ through `stuckscope
analyze --format json FILE` (the sanitizer build when given): no crash, no
hang, valid JSON against both schemas, every input either read or reported
unreadable with a message naming the file, and every socket table, counter
dump and stack dump of the corpus read with records (or listed in
NOT_EVIDENCE with the reason it is not evidence). One line per file.
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

# Issue 14's acceptance: every corpus file that is a socket table, a counter
# dump or a stack dump is read with records (> 0). These are not evidence,
# and say why; they must stay unread (status error, 0 records), never be
# read as an empty table that a rule would call fine.
EVIDENCE_DIRS = {"ss", "netstat", "netstat-s", "nstat", "stacks", "proc"}
NOT_EVIDENCE = {
    "ss/kerneldoc-ss-s-orphaned.txt":
        "`ss -s`: counts of sockets per protocol, not one socket",
    "proc/procfs-proc-net-udp_broken.txt":
        "a /proc/net/udp table cut after its st column: no queues, not TCP",
    "proc/procfs-proc-net-sockstat.txt":
        "/proc/net/sockstat: socket counts per protocol (what `ss -s` prints), "
        "neither a socket nor a MIB counter",
}

def corpus_rel(path):
    i = path.find("/corpus/")
    return path[i + len("/corpus/"):] if i >= 0 else None

def check_records(path, i):
    rel = corpus_rel(path)
    if rel is None or rel.split("/")[0] not in EVIDENCE_DIRS:
        return None
    if rel in NOT_EVIDENCE:
        if i["status"] != "error" or i["records"]:
            return (f"not evidence ({NOT_EVIDENCE[rel]}) but read: "
                    f"status {i['status']}, {i['records']} records")
        return None
    if not i["records"]:
        return f"a {rel.split('/')[0]} file read with 0 records (status {i['status']})"
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
    ins = d["inputs"]
    if len(ins) == 2 and ins[0]["kind"] == "archive" and ins[1]["path"].startswith(ins[0]["path"] + ":"):
        ins = ins[1:]	# a compressed file: its one member is the evidence
    if len(ins) != 1:
        return f"{len(d['inputs'])} inputs listed, want 1"
    i = ins[0]
    want = expected_kind(path)
    if want and i["kind"] not in want and i["status"] != "error":
        return f"recognised as {i['kind']}, want {'/'.join(sorted(want))}"
    err = check_records(path, i)
    if err:
        return err
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
