#!/usr/bin/python3
"""Partial evidence (issue 8): every recorded sample analyzed from one kind of
evidence at a time — only counters, only socket tables, only stacks, only the
capture. What stuckscope concludes may be less (inconclusive, a lower
confidence, an effect instead of the cause) but never wrong: a root cause it
names must be one the full evidence also finds, and a healthy sample must not
raise a warning from any single source. One line per sample and subset.
Usage: partial.py [BINARY]"""
import glob
import json
import os
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "./stuckscope"
SUBSETS = {
    "counters": ["nstat-*", "netstat-s-*", "proc-net-netstat-*", "proc-net-snmp-*"],
    "sockets": ["ss-*.txt", "netstat-antp.txt", "proc-net-tcp*.txt"],
    "stacks": ["eu-stack-*", "gdb-*", "pybt-*", "proc-task-*"],
    "capture": ["*.pcap"],
    "kernel-log": ["dmesg-*"],
}

def run(paths):
    p = subprocess.run([BIN, "analyze", "--format", "json"] + paths, capture_output=True,
                       timeout=300)
    if p.returncode not in (0, 2):
        raise RuntimeError(f"exit {p.returncode}")
    return json.loads(p.stdout)

def root_rule(d):
    for f in d["findings"]:
        if f["id"] == d["root_cause"]:
            return f["rule"]
    return None

def main():
    for readme in sorted(glob.glob("samples/*/README.md")):
        sample = os.path.dirname(readme)
        if not glob.glob(os.path.join(sample, "ss-*.txt")):
            continue  # not a recorded incident
        name = os.path.basename(sample)
        full = run([sample])
        full_rules = {f["rule"] for f in full["findings"]}
        for subset, pats in SUBSETS.items():
            paths = sorted(p for pat in pats for p in glob.glob(os.path.join(sample, pat)))
            if not paths:
                continue
            try:
                d = run(paths)
            except Exception as e:  # crash, hang, bad JSON
                print(f"FAIL partial {name} {subset}: {e}")
                continue
            r = root_rule(d)
            errs = []
            if r and r not in full_rules:
                errs.append(f"root cause {r} is not among the full evidence's findings "
                            f"{sorted(full_rules)}")
            if full["verdict"] == "healthy" and d["verdict"] in ("degraded", "outage"):
                errs.append(f"{d['verdict']} from {subset} alone on a healthy sample")
            if errs:
                print(f"FAIL partial {name} {subset}: " + "; ".join(errs))
            else:
                print(f"ok partial {name} {subset}: {d['verdict']}"
                      f"{' / ' + r if r else ''} (full: {full['verdict']} / {root_rule(full)})")

if __name__ == "__main__":
    main()
