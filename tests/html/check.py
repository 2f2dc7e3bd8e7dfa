#!/usr/bin/python3
"""HTML report checks (issue 9), standard library only.

For every recorded sample (samples/NAME/ with a README.md and timeline.txt;
samples/servers/ has a README too but holds the reproduction servers): generate the HTML
and the JSON report, then check with html.parser that
  - the structure ids exist (#verdict #chain #timeline #findings #evidence
    #workers #stacks #inputs #checked, and one element per finding F1..),
  - the page is self-contained: no <script src>, <link>, <img>, <iframe>,
    <object>, <embed>; no URL in src/href/url() other than "#fragment",
  - the numbers shown match the JSON report: verdict, root-cause rule,
    ListenOverflows delta, backlog per listener, CLOSE-WAIT / unread bytes /
    state per pid, one row per finding and per input,
  - the output is byte-identical on a second run, valid UTF-8, and free of
    control bytes.
Then the hostile-input check: comm `<script>alert(1)</script>`, quotes, ANSI
escapes, a 10 KB name, invalid UTF-8, a file name with markup; none of it may
reach the page raw.

Usage: check.py [--bin ./stuckscope] [--out tests/artifacts/html] [SAMPLE_DIR...]
Prints one line per check: "ok html: ...", "FAIL html: ...", "SKIP html: ...".
The pages are kept in --out for the browser check (tests/html/browser.py).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REQUIRED_IDS = ["verdict", "chain", "timeline", "findings", "evidence", "workers",
                "stacks", "inputs", "checked"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
URL_ATTRS = {"src", "href", "xlink:href", "action", "formaction", "poster", "data",
             "srcset", "background", "ping", "manifest", "codebase", "cite"}
FORBIDDEN_TAGS = {"link", "img", "iframe", "object", "embed", "frame", "audio", "video",
                  "source", "base", "form"}
CSP = "default-src 'none'; style-src 'unsafe-inline'"

failures = 0


def report(ok, name, why=""):
    global failures
    if ok:
        print("ok html: %s" % name)
    else:
        failures += 1
        print("FAIL html: %s%s" % (name, (": " + why) if why else ""))
    sys.stdout.flush()


class Node:
    __slots__ = ("tag", "attrs", "children", "parent", "text")

    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.children = []
        self.parent = parent
        self.text = []

    def all_text(self):
        out = list(self.text)
        for c in self.children:
            out.append(c.all_text())
        return "".join(out)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def find_all(self, pred):
        return [n for n in self.walk() if pred(n)]

    def find(self, pred):
        for n in self.walk():
            if pred(n):
                return n
        return None


class Dom(HTMLParser):
    """A small tree builder: enough to find elements and their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.styles = []      # <style> contents
        self.scripts = []     # (attrs, content)
        self.errors = []

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is self.root:
            self.errors.append("stray </%s>" % tag)
            return
        if n.tag == "style":
            self.styles.append(n.all_text())
        if n.tag == "script":
            self.scripts.append((n.attrs, n.all_text()))
        self.cur = n.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def parse(html_text):
    d = Dom()
    d.feed(html_text)
    d.close()
    return d


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120, **kw)


def external_refs(dom):
    """Everything that could make the page fetch something."""
    bad = []
    for n in dom.root.walk():
        if n.tag in FORBIDDEN_TAGS:
            bad.append("<%s>" % n.tag)
        for k, v in n.attrs.items():
            v = v or ""
            if k in URL_ATTRS and v and not v.startswith("#"):
                bad.append('%s="%s"' % (k, v[:80]))
            if k.startswith("on"):
                bad.append("event handler %s" % k)
            if k == "style" and re.search(r"url\s*\(\s*['\"]?(?!#)", v, re.I):
                bad.append("style url(): %s" % v[:80])
        if n.tag == "script" and "src" in n.attrs:
            bad.append("<script src>")
        if n.tag == "meta" and n.attrs.get("http-equiv", "").lower() == "refresh":
            bad.append("meta refresh")
    for css in dom.styles:
        for m in re.finditer(r"url\s*\(\s*['\"]?([^)'\"]*)", css, re.I):
            if not m.group(1).startswith("#"):
                bad.append("css url(%s)" % m.group(1)[:80])
        if "@import" in css:
            bad.append("css @import")
        for m in re.finditer(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", css, re.I):
            bad.append("css reference %s" % m.group(0))
    for attrs, body in dom.scripts:
        bad.append("a script: %r" % body[:80])   # the page has none
    return bad


def has_csp(dom):
    """The page forbids scripts and requests itself (defence in depth)."""
    metas = [n for n in dom.root.walk() if n.tag == "meta" and
             n.attrs.get("http-equiv", "").lower() == "content-security-policy"]
    return len(metas) == 1 and metas[0].attrs.get("content") == CSP and \
        metas[0].parent is not None and metas[0].parent.tag == "head"


def by_attr(dom, attr, value=None):
    return dom.root.find_all(lambda n: attr in n.attrs and (value is None or n.attrs[attr] == value))


def field(node, name):
    if node is None:
        return None
    f = node.find(lambda n: n.attrs.get("data-field") == name)
    return None if f is None else f.all_text().strip()


def bytes_clean(raw):
    """Valid UTF-8, no control byte but newline, no C1 control or bidi override."""
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        return "not valid UTF-8: %s" % e
    m = re.search(r"[\x00-\x09\x0b-\x1f\x7f]", text)
    if m:
        return "control byte %r at %d" % (m.group(0), m.start())
    m = re.search("[\u0080-\u009f\u202a-\u202e\u2066-\u2069]", text)
    if m:
        return "C1 control / bidi override %r at %d" % (m.group(0), m.start())
    return None


def check_numbers(dom, j):
    """Numbers shown against the JSON report; returns a list of mismatches."""
    bad = []
    root = j.get("root_cause")
    verdict = field(dom.root, "verdict")
    if verdict != j["verdict"]:
        bad.append("verdict %r != %r" % (verdict, j["verdict"]))
    rule = "none"
    for f in j["findings"]:
        if f["id"] == root:
            rule = f["rule"]
    shown_rule = field(dom.root.find(lambda n: n.attrs.get("id") == "verdict"), "root-rule")
    if shown_rule != rule:
        bad.append("root rule %r != %r" % (shown_rule, rule))
    for name in ("ListenOverflows", "ListenDrops"):
        c = j["counters"].get(name)
        rows = by_attr(dom, "data-counter", name)
        if c is None:
            if rows:
                bad.append("%s shown but not in JSON" % name)
            continue
        if len(rows) != 1:
            bad.append("%s: %d rows" % (name, len(rows)))
            continue
        shown = field(rows[0], "delta") or ""
        if shown.split(" ")[0] != str(c["delta"]):
            bad.append("%s delta %r != %r" % (name, shown, c["delta"]))
    for l in j["listeners"]:
        rows = by_attr(dom, "data-listener", l["address"])
        if len(rows) != 1:
            bad.append("listener %s: %d rows" % (l["address"], len(rows)))
            continue
        for key in ("backlog", "max_accept_queue"):
            want = "unknown" if l[key] is None else str(l[key])
            got = field(rows[0], key)
            if got != want:
                bad.append("listener %s %s %r != %r" % (l["address"], key, got, want))
    for p in j["processes"]:
        rows = by_attr(dom, "data-pid", str(p["pid"]))
        rows = [r for r in rows if r.tag == "tr"]
        if len(rows) != 1:
            bad.append("pid %d: %d worker rows" % (p["pid"], len(rows)))
            continue
        for key in ("close_wait", "unread_bytes", "state"):
            got = field(rows[0], key)
            if got != str(p[key]):
                bad.append("pid %d %s %r != %r" % (p["pid"], key, got, p[key]))
    for f in j["findings"]:
        if dom.root.find(lambda n, i=f["id"]: n.attrs.get("id") == i) is None:
            bad.append("no element id=%s" % f["id"])
        rows = by_attr(dom, "data-finding", f["id"])
        if len(rows) != 1 or field(rows[0], "rule") != f["rule"]:
            bad.append("finding %s row (rule %s)" % (f["id"], f["rule"]))
    rows = by_attr(dom, "data-status")
    got = [r.attrs["data-status"] for r in rows]
    want = [i["status"] for i in j["inputs"]]
    if got != want:
        bad.append("inputs: %d rows %s, JSON %d" % (len(got), got[:5], len(want)))
    checked = dom.root.find(lambda n: n.attrs.get("id") == "checked")
    n_checked = len(checked.find_all(lambda n: n.tag == "li")) if checked else -1
    if n_checked != len(j["checked"]):
        bad.append("checked: %d items, JSON %d" % (n_checked, len(j["checked"])))
    return bad


def check_sample(binary, sample, out_dir):
    name = os.path.basename(os.path.normpath(sample))
    html_path = os.path.join(out_dir, name + ".html")
    json_path = os.path.join(out_dir, name + ".json")
    r = run([binary, "analyze", "--format", "html", "-o", html_path, sample])
    if r.returncode != 0 or not os.path.exists(html_path):
        report(False, "%s: generate" % name, "exit %d: %s" % (r.returncode, r.stderr[-300:]))
        return
    r2 = run([binary, "analyze", "--format", "json", "-o", json_path, sample])
    if r2.returncode != 0:
        report(False, "%s: json" % name, "exit %d" % r2.returncode)
        return
    raw = open(html_path, "rb").read()
    j = json.load(open(json_path))
    report(True, "%s: generated (%d bytes)" % (name, len(raw)))

    with tempfile.NamedTemporaryFile(suffix=".html") as again:
        run([binary, "analyze", "--format", "html", "-o", again.name, sample])
        same = open(again.name, "rb").read() == raw
    report(same, "%s: byte-identical on a second run" % name)

    why = bytes_clean(raw)
    report(why is None, "%s: valid UTF-8, no control bytes" % name, why or "")

    dom = parse(raw.decode("utf-8", errors="replace"))
    ids = {n.attrs.get("id") for n in dom.root.walk() if "id" in n.attrs}
    missing = [i for i in REQUIRED_IDS if i not in ids]
    report(not missing, "%s: structure ids present" % name, "missing " + ", ".join(missing))
    all_ids = [n.attrs.get("id") for n in dom.root.walk() if "id" in n.attrs]
    dups = sorted({i for i in all_ids if all_ids.count(i) > 1})
    report(not dups and not dom.errors, "%s: ids unique, tags balanced" % name,
           "duplicate ids %s; %s" % (dups[:5], dom.errors[:3]))

    bad = external_refs(dom)
    report(not bad, "%s: self-contained (no script, no external font, image, URL)" % name,
           "; ".join(bad[:5]))
    report(has_csp(dom), "%s: Content-Security-Policy forbids scripts and requests" % name)

    tl = dom.root.find(lambda n: n.attrs.get("id") == "timeline")
    svg = tl.find(lambda n: n.tag == "svg" and n.attrs.get("data-chart") == "timeline") if tl else None
    timed = any(i.get("at") for i in j["inputs"]) or any(
        l.get("capture") for l in j["listeners"])
    if timed:
        ok = svg is not None and float(svg.attrs.get("width", 0)) > 0 and \
            float(svg.attrs.get("height", 0)) > 0 and len(svg.children) > 10
        report(ok, "%s: timeline SVG drawn" % name)
    else:
        report(tl is not None and "No time-stamped evidence" in tl.all_text(),
               "%s: timeline says why it is empty" % name)

    bad = check_numbers(dom, j)
    report(not bad, "%s: numbers shown match the JSON report" % name, "; ".join(bad[:6]))

    stuck = [p for p in j["processes"] if p["state"] == "stuck"]
    if stuck:
        st = dom.root.find(lambda n: n.attrs.get("id") == "stacks")
        hot = st.find_all(lambda n: n.tag == "li" and "hot" in n.attrs.get("class", "")) if st else []
        lanes = [n for n in dom.root.walk() if n.tag == "svg" and n.attrs.get("data-chart") == "swimlane"]
        red = sum(1 for s in lanes for n in s.walk() if n.tag == "rect" and n.attrs.get("fill") == "#d62728")
        report(bool(hot) and red > 0, "%s: stuck workers: stuck frames highlighted, stuck cells drawn" % name,
               "%d hot frames, %d stuck cells" % (len(hot), red))


# ---------------------------------------------------------------- hostile inputs

HOSTILE = [
    b"<script>alert(1)</script>",
    b"\"quote'",
    b"\x1b[31mred\x1b[0m",
    b"bell\x07del\x7f",
    b"bad\xff\xfe\xc0\xafutf8",
    b"c1\xc2\x9bbidi\xe2\x80\xaeevil",
    b"A" * 10240,
]


def hostile(binary, out_dir):
    tmp = tempfile.mkdtemp(prefix="stk-html-hostile-")
    lines = [b"State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process"]
    users = b",".join(b'("%s",pid=%d,fd=3)' % (c, 100 + i) for i, c in enumerate(HOSTILE))
    lines.append(b"LISTEN 9      8      127.0.0.1:8000     0.0.0.0:*         users:(" + users + b")")
    for i, c in enumerate(HOSTILE):
        for k in range(3):
            lines.append(b"CLOSE-WAIT 5 0 127.0.0.1:8000 127.0.0.1:%d users:((\"%s\",pid=%d,fd=%d))"
                         % (50000 + 10 * i + k, c, 100 + i, 4 + k))
    # a file name with markup, holding a stack dump with hostile thread and
    # function names
    weird = os.path.join(tmp, "<img src=x onerror=alert(1)>.txt")
    with open(os.path.join(tmp, "ss-hostile.txt"), "wb") as f:
        f.write(b"\n".join(lines) + b"\n")
    gdb = [b"Thread 1 (Thread 0x7f0000000000 (LWP 100) \"<script>alert(2)</script>\"):",
           b"#0  0x00007f0000001000 in <b>evil</b> (x=<optimized out>) at \"q'.c:1",
           b"#1  0x00007f0000002000 in pthread_cond_wait@@GLIBC_2.3.2 () from /lib/libc.so.6",
           b"#2  0x0000555500001000 in handler\x1b[31m () at srv\xff.c:12",
           b""]
    with open(weird, "wb") as f:
        f.write(b"\n".join(gdb))
    page = os.path.join(out_dir, "hostile.html")
    r = run([binary, "analyze", "--format", "html", "-o", page, tmp])
    if r.returncode != 0:
        report(False, "hostile: generate", "exit %d: %s" % (r.returncode, r.stderr[-300:]))
        return
    raw = open(page, "rb").read()
    why = bytes_clean(raw)
    report(why is None, "hostile: valid UTF-8, no control bytes (ESC, BEL, DEL, C1, bidi)", why or "")
    for needle, what in ((b"<script>alert", "<script> from a comm"),
                         (b"\"quote'", "raw quotes from a comm"),
                         (b"\x1b", "ANSI escape"),
                         (b"\xff", "invalid UTF-8 byte"),
                         (b"A" * 200, "the 10 KB name untruncated"),
                         (b"<img", "markup from a file name"),
                         (b"<b>evil", "markup from a function name")):
        report(needle not in raw, "hostile: no %s in the page" % what)
    for needle, what in ((b"&lt;script&gt;alert(1)&lt;/script&gt;", "the <script> comm, escaped"),
                         (b"&quot;quote&#39;", "the quote comm, escaped"),
                         (b"A" * 60, "the long name, truncated"),
                         (b"&lt;img src=x onerror=alert(1)&gt;", "the file name, escaped")):
        report(needle in raw, "hostile: shows %s" % what)
    dom = parse(raw.decode("utf-8"))
    scripts = dom.root.find_all(lambda n: n.tag == "script")
    report(not scripts and b"<script" not in raw, "hostile: no <script> element at all",
           "%d scripts" % len(scripts))
    report(has_csp(dom), "hostile: Content-Security-Policy intact")
    bad = external_refs(dom)
    report(not bad, "hostile: no element, handler or URL injected", "; ".join(bad[:5]))
    ids = {n.attrs.get("id") for n in dom.root.walk() if "id" in n.attrs}
    missing = [i for i in REQUIRED_IDS if i not in ids]
    report(not missing and not dom.errors, "hostile: page structure intact",
           "missing %s; %s" % (missing, dom.errors[:3]))
    for p in sorted(os.listdir(tmp)):
        os.unlink(os.path.join(tmp, p))
    os.rmdir(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("BIN", os.path.join(ROOT, "stuckscope")))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "artifacts", "html"))
    ap.add_argument("samples", nargs="*")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        print("SKIP html: no binary %s (make stuckscope)" % binary)
        return 0
    os.makedirs(a.out, exist_ok=True)
    samples = a.samples or sorted(
        os.path.join(ROOT, "samples", d) for d in os.listdir(os.path.join(ROOT, "samples"))
        if os.path.isfile(os.path.join(ROOT, "samples", d, "README.md"))
        and os.path.isfile(os.path.join(ROOT, "samples", d, "timeline.txt")))
    if not samples:
        print("SKIP html: no recorded sample (samples/*/README.md)")
    os.chdir(ROOT)
    # the checker itself must see what it is meant to catch
    bad = external_refs(parse('<link rel="stylesheet" href="https://f.example/x.css">'
                              '<img src="//cdn.example/x.png"><script src="a.js"></script>'
                              '<div style="background:url(http://x.example/y)"></div>'
                              '<svg><image href="http://x.example/z.svg"/></svg>'
                              '<script>alert(1)</script>'))
    report(len(bad) >= 7, "checker: rejects external link, img, script, url(), href",
           "; ".join(bad))
    for s in samples:
        check_sample(binary, os.path.relpath(s, ROOT), a.out)
    hostile(binary, a.out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
