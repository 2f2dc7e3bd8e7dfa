#!/usr/bin/python3
"""badinput-check.py — judge one `stuckscope analyze --format json` run of
tests/badinput.sh. Prints nothing when the run is acceptable, else one line
saying why (the caller prints "FAIL badinput: CASE: <that line>").

usage: badinput-check.py OUT ERR RC [--rc=0|2] [--count=N] [--note=TEXT]
                         [--nonote=TEXT] [--backwards] [PATH=SPEC]...

Always checked (DESIGN.md "Quality bars"): the exit status is 0 or 2 (not a
signal, not the 60 s timeout, not a usage error), stderr holds no sanitizer
report, stdout is a JSON report, and every input that is not "ok" has a
message in inputs[] and a line on stderr naming it — never a silent skip.

SPEC is a comma list about the input whose path is PATH:
  ok | partial | error | okp (ok or partial) | any      its status
  kind:K  records:N  records>=N                         what was read
  pos        a message naming PATH and a position: "PATH:LINE:",
             "PATH: packet N:" or "PATH: offset N:"
  ppos       the same when the status is "partial" (some records not read)
  msg:TEXT   a stderr line naming PATH contains TEXT
A PATH that is a directory prefix ending in "/" applies SPEC to every input
under it ("DIR/=any,pos" ...), and --count counts all inputs.
"""
import json
import re
import sys

SAN = re.compile(r"ERROR: (Address|Leak|Memory)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer|"
                 r"AddressSanitizer:DEADLYSIGNAL")


def main():
    out, err, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    want_rc, count, notes, nonotes, backwards, specs = None, None, [], [], False, []
    for a in sys.argv[4:]:
        if a.startswith("--rc="):
            want_rc = int(a[5:])
        elif a.startswith("--count="):
            count = int(a[8:])
        elif a.startswith("--note="):
            notes.append(a[7:])
        elif a.startswith("--nonote="):
            nonotes.append(a[9:])
        elif a == "--backwards":
            backwards = True
        else:
            path, _, spec = a.partition("=")
            specs.append((path, [s for s in spec.split(",") if s]))
    errtext = open(err, errors="replace").read()
    m = SAN.search(errtext)
    if m:
        i = m.start()
        return "sanitizer report: " + errtext[i:i + 300].replace("\n", " | ")
    if rc == 124 or rc == 137:
        return "hang: killed by timeout after 60 s"
    if rc > 128:
        return "killed by signal %d: %s" % (rc - 128, errtext[-300:].replace("\n", " | "))
    if rc not in (0, 2):
        return "exit %d (want 0 or 2): %s" % (rc, errtext[:300].replace("\n", " | "))
    if want_rc is not None and rc != want_rc:
        return "exit %d, want %d: %s" % (rc, want_rc, errtext[:300].replace("\n", " | "))
    try:
        d = json.load(open(out))
    except ValueError as e:
        return "stdout is not a JSON report: %s" % e
    errlines = [l for l in errtext.splitlines() if l.startswith("stuckscope: ")]
    byfile = {}
    for l in errlines:
        byfile.setdefault(l[12:].split(":", 1)[0], []).append(l[12:])
    inputs = d["inputs"]
    by_path = {i["path"]: i for i in inputs}
    if count is not None and len(inputs) != count:
        return "%d inputs listed, want %d" % (len(inputs), count)
    for i in inputs:
        if i["status"] == "ok":
            continue
        if not i["messages"]:
            return "%s is %s with no message in inputs[]" % (i["path"], i["status"])
        if i["path"] not in byfile:
            return "%s is %s, stderr does not name it" % (i["path"], i["status"])

    def has_pos(path):
        pat = re.compile(re.escape(path) + r"(:\d+:| packet \d+:|: packet \d+:|: offset \d+:)")
        return any(pat.match(l) for l in byfile.get(path, []))

    for path, spec in specs:
        if path.endswith("/"):
            targets = [i for i in inputs if i["path"].startswith(path)]
            if not targets:
                return "no input listed under %s" % path
        else:
            if path not in by_path:
                return "%s not listed in inputs[] (%d inputs)" % (path, len(inputs))
            targets = [by_path[path]]
        for i in targets:
            p, st = i["path"], i["status"]
            for s in spec:
                if s in ("ok", "partial", "error") and st != s:
                    return "%s: status %s, want %s: %s" % (p, st, s, i["messages"][:2])
                if s == "okp" and st not in ("ok", "partial"):
                    return "%s: status %s, want ok or partial: %s" % (p, st, i["messages"][:2])
                if s.startswith("kind:") and i["kind"] != s[5:]:
                    return "%s: kind %s, want %s" % (p, i["kind"], s[5:])
                if s.startswith("records>="):
                    if i["records"] < int(s[9:]):
                        return "%s: %d records, want >= %s" % (p, i["records"], s[9:])
                elif s.startswith("records:") and i["records"] != int(s[8:]):
                    return "%s: %d records, want %s" % (p, i["records"], s[8:])
                if s == "ppos" and st == "partial" and not has_pos(p):
                    return "%s (partial): no message with its line, packet or offset: %s" % (
                        p, byfile.get(p, ["(none)"])[:2])
                if s == "pos" and st != "ok" and not has_pos(p):
                    return "%s (%s): no message with its line, packet or offset: %s" % (
                        p, st, byfile.get(p, ["(none)"])[:2])
                if s.startswith("msg:") and not any(s[4:] in l for l in byfile.get(p, [])):
                    return "%s: no stderr line with '%s': %s" % (p, s[4:], byfile.get(p, ["(none)"])[:2])
    for n in notes:
        if not any(n in x for x in d.get("notes", [])) and n not in errtext:
            return "no note with '%s': %s" % (n, d.get("notes"))
    for n in nonotes:
        if any(n in x for x in d.get("notes", [])):
            return "unexpected note with '%s'" % n
    if backwards:
        c = d.get("counters", {})
        back = [k for k, v in c.items() if v.get("went_backwards")]
        if not back:
            return "no counter marked went_backwards: %s" % list(c)[:5]
        neg = [k for k, v in c.items() if (v.get("delta") or 0) < 0]
        if neg:
            return "negative deltas: %s" % neg[:5]
        crit = [f["rule"] for f in d["findings"] if f["severity"] == "critical"
                and f["rule"] in ("accept-queue-overflow", "syn-flood")]
        if crit:
            return "counters going backwards raised %s" % crit
    return ""


if __name__ == "__main__":
    r = main()
    if r:
        print(r)
        sys.exit(1)
