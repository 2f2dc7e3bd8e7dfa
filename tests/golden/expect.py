#!/usr/bin/python3
"""Check each golden case's JSON report against the hand-copied ground truth
in tests/golden/EXPECT, and (when the sample's README has a `pcap-stats`
block, computed independently with tshark) the capture counts. One line per
case: "ok expect NAME" / "FAIL expect NAME: ...".
Usage: expect.py ACTUAL_DIR   (tests/artifacts/golden, as golden.sh leaves it)"""
import json
import os
import re
import sys

# capture counts whose definitions match the lab's tshark-based pcap-stats
PCAP_KEYS = ("syn_packets", "syn_attempts", "syn_unanswered_packets",
             "attempts_never_answered", "handshakes_completed", "synack_retransmits_after_ack")

def cases():
    with open("tests/CASES") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, rest = line.split(None, 1)
                yield name, rest.split("--", 1)[1].split()

def pcap_stats(readme):
    try:
        text = open(readme).read()
    except OSError:
        return None
    m = re.search(r"pcap-stats capture\.pcap \d+`\s*```(.*?)```", text, re.S)
    if not m:
        return None
    out = {}
    for line in m.group(1).splitlines():
        k, _, v = line.strip().partition(": ")
        if v.strip().isdigit():
            out[k] = int(v)
    return out

def check(name, inputs, want, d):
    errs = []
    by_id = {f["id"]: f for f in d["findings"]}
    root = by_id.get(d["root_cause"]) if d["root_cause"] else None
    rules = {f["rule"] for f in d["findings"]}
    for k, v in want.items():
        if k == "verdict" and d["verdict"] != v:
            errs.append(f"verdict {d['verdict']}, want {v}")
        elif k == "root":
            got = root["rule"] if root else "none"
            if got != v:
                errs.append(f"root cause {got}, want {v}")
        elif k in ("ListenOverflows", "ListenDrops"):
            got = d["counters"].get(k, {}).get("delta")
            if got != int(v):
                errs.append(f"{k} delta {got}, want {v}")
        elif k in ("backlog", "max_accept_queue"):
            got = [l[k] for l in d["listeners"] if l[k] is not None]
            if int(v) not in got:
                errs.append(f"{k} {got}, want {v}")
        elif k == "cw":
            got = {p["pid"]: p["close_wait"] for p in d["processes"] if p["close_wait"]}
            exp = {int(a): int(b) for a, b in (x.split(":") for x in v.split(",") if x)}
            if got != exp:
                errs.append(f"CLOSE-WAIT per pid {got}, want {exp}")
        elif k == "stuck":
            got = sorted(p["pid"] for p in d["processes"] if p["state"] == "stuck")
            exp = sorted(int(x) for x in v.split(",") if x)
            if got != exp:
                errs.append(f"stuck pids {got}, want {exp}")
            if exp and root and root["rule"] == "workers-stuck" and sorted(root["pids"]) != exp:
                errs.append(f"workers-stuck names pids {root['pids']}, want {exp}")
        elif k == "never_acked":
            caps = [l["capture"] for l in d["listeners"] if l["capture"]]
            got = caps[0].get("requests_never_acked") if caps else None
            if got != int(v):
                errs.append(f"requests_never_acked {got}, want {v}")
        elif k == "tids":
            ws = [f for f in d["findings"] if f["rule"] == "workers-stuck"]
            got = sorted(ws[0]["tids"]) if ws else []
            exp = sorted(int(x) for x in v.split(",") if x)
            if got != exp:
                errs.append(f"stuck tids {got}, want {exp}")
        elif k == "rules":
            missing = [r for r in v.split(",") if r and r not in rules]
            if missing:
                errs.append(f"missing findings {missing}")
    # capture counts against tshark's, when the case is a whole sample
    if len(inputs) == 1 and os.path.isdir(inputs[0]):
        ps = pcap_stats(os.path.join(inputs[0], "README.md"))
        caps = [l["capture"] for l in d["listeners"] if l["capture"]]
        if ps and caps:
            c = caps[0]
            for k in PCAP_KEYS:
                if k in ps and c.get(k) != ps[k]:
                    errs.append(f"capture {k} {c.get(k)}, tshark says {ps[k]}")
    return errs

def main():
    actual = sys.argv[1]
    want = {}
    with open("tests/golden/EXPECT") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                parts = line.split()
                want[parts[0]] = dict(p.split("=", 1) for p in parts[1:])
    for name, inputs in cases():
        if name not in want:
            print(f"FAIL expect {name}: no line in tests/golden/EXPECT")
            continue
        path = os.path.join(actual, name, "actual.json")
        try:
            d = json.load(open(path))
        except Exception as e:
            print(f"FAIL expect {name}: {path}: {e}")
            continue
        errs = check(name, inputs, want[name], d)
        print(f"FAIL expect {name}: " + "; ".join(errs) if errs else f"ok expect {name}")

if __name__ == "__main__":
    main()
