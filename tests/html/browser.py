#!/usr/bin/python3
"""Load HTML reports in a real headless Chromium, with networking disabled,
and check what a reader would get (issue 9). Standard library only: the
DevTools protocol is spoken over --remote-debugging-pipe (NUL-separated JSON
on file descriptors 3 and 4), so no websocket client is needed.

Networking is disabled three ways: Chromium runs in a fresh network namespace
with no interface up (`unshare -n`, when permitted), its proxy points to a
closed port and every host name fails to resolve, and the page is emulated
offline. Any request other than the page's own file:// URL is reported.

Per page: no console error, no uncaught exception, no JavaScript dialog, no
network request, every chart SVG (#timeline-svg first) rendered with a
non-zero size, and a screenshot (1280x2400) kept next to the page as NAME.png.

Usage: browser.py [--chrome /usr/bin/chromium] PAGE.html...
Prints one line per check: "ok html: browser: ...", "FAIL html: browser: ...",
"SKIP html: browser: ...".
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT = 1280, 2400
failures = 0


def report(ok, name, why=""):
    global failures
    if ok:
        print("ok html: browser: %s" % name)
    else:
        failures += 1
        print("FAIL html: browser: %s%s" % (name, (": " + why) if why else ""))
    sys.stdout.flush()


class Chrome:
    """One Chromium process and its DevTools pipe."""

    def __init__(self, chrome, netns):
        self.profile = tempfile.mkdtemp(prefix="stk-chrome-")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        cmd = [chrome, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", "--disable-default-apps", "--mute-audio",
               "--disable-features=Translate,MediaRouter,OptimizationHints",
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--host-resolver-rules=MAP * ~NOTFOUND",
               "--hide-scrollbars", "--window-size=%d,%d" % (WIDTH, HEIGHT),
               "--user-data-dir=" + self.profile, "--remote-debugging-pipe", "about:blank"]
        if netns:
            cmd = ["unshare", "-n", "--"] + cmd

        def fds():
            # the pipes may themselves be fds 3 and 4: move them out of the
            # way first (dup2 onto itself would keep close-on-exec)
            hi_r = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)
            hi_w = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, preexec_fn=fds, close_fds=False)
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            r, _, _ = select.select([self.from_r], [], [], left)
            if not r:
                continue
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        m = json.loads(msg)
        if m.get("method") == "Page.javascriptDialogOpening":
            # an alert() would block the page: dismiss it (and report it)
            self.send("Page.handleJavaScriptDialog", {"accept": False}, m.get("sessionId"))
        return m

    def call(self, method, params=None, session=None, timeout=30):
        mid = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == mid:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def wait_event(self, method, session, timeout=30):
        for i, e in enumerate(self.events):
            if e["method"] == method and e.get("sessionId") == session:
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if "method" in m:
                if m["method"] == method and m.get("sessionId") == session:
                    return m
                self.events.append(m)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        try:
            while True:
                m = self._read(deadline)
                if "method" in m:
                    self.events.append(m)
        except TimeoutError:
            pass

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)
        shutil.rmtree(self.profile, ignore_errors=True)

    def log_tail(self):
        self.stderr.seek(0)
        return self.stderr.read()[-400:].decode("utf-8", "replace")


MEASURE = r"""
(function(){
  var out = {charts: [], title: document.title, ids: 0, loaded: []};
  var svgs = document.querySelectorAll('svg[data-chart]');
  for (var i = 0; i < svgs.length; i++) {
    var r = svgs[i].getBoundingClientRect();
    out.charts.push({chart: svgs[i].getAttribute('data-chart'), id: svgs[i].id,
                     w: r.width, h: r.height,
                     shapes: svgs[i].querySelectorAll('rect,line,polyline,circle,path').length});
  }
  var t = document.getElementById('timeline-svg');
  if (t) { var b = t.getBBox(); out.timeline_bbox = [b.width, b.height]; }
  out.ids = ['verdict','chain','timeline','findings','evidence','workers','stacks','inputs',
             'checked'].filter(function(i){ return !document.getElementById(i); });
  out.external = document.querySelectorAll('script[src],link,img,iframe,object,embed').length;
  out.height = document.documentElement.scrollHeight;
  var perf = performance.getEntriesByType('resource');
  for (var k = 0; k < perf.length; k++) out.loaded.push(perf[k].name);
  return JSON.stringify(out);
})()
"""


def check_page(ch, path):
    name = os.path.basename(path)[:-len(".html")]
    url = "file://" + os.path.abspath(path)
    target = ch.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    sess = ch.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
        ch.call(m, session=sess)
    ch.call("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
            "downloadThroughput": -1, "uploadThroughput": -1}, session=sess)
    ch.call("Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT,
            "deviceScaleFactor": 1, "mobile": False}, session=sess)
    ch.events = [e for e in ch.events if e.get("sessionId") != sess]
    ch.call("Page.navigate", {"url": url}, session=sess)
    ch.wait_event("Page.loadEventFired", sess, timeout=60)
    ch.drain(0.5)
    res = ch.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                  session=sess)
    m = json.loads(res["result"]["value"])
    shot = ch.call("Page.captureScreenshot", {"format": "png", "clip": {
        "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "scale": 1}}, session=sess, timeout=60)
    png = os.path.splitext(path)[0] + ".png"
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    ch.drain(0.2)
    evs = [e for e in ch.events if e.get("sessionId") == sess]
    ch.events = [e for e in ch.events if e.get("sessionId") != sess]
    ch.call("Target.closeTarget", {"targetId": target})

    errors, requests, dialogs = [], [], []
    for e in evs:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console.%s %s" % (p["type"], [a.get("value") for a in p.get("args", [])][:2]))
        elif e["method"] == "Runtime.exceptionThrown":
            errors.append("exception %s" % p.get("exceptionDetails", {}).get("text"))
        elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            errors.append("log %s" % p["entry"].get("text", "")[:120])
        elif e["method"] == "Network.requestWillBeSent":
            u = p.get("request", {}).get("url", "")
            if u != url:
                requests.append(u[:120])
        elif e["method"] == "Page.javascriptDialogOpening":
            dialogs.append(p.get("message", "")[:80])
    requests += [u[:120] for u in m["loaded"] if u != url]
    report(not errors, "%s: no console error or exception" % name, "; ".join(errors[:3]))
    report(not requests, "%s: no network request" % name, "; ".join(requests[:3]))
    report(not dialogs, "%s: no JavaScript dialog (nothing injected ran)" % name, "; ".join(dialogs[:3]))
    report(not m["ids"] and not m["external"], "%s: structure in the live DOM" % name,
           "missing %s, %d external elements" % (m["ids"], m["external"]))
    tl = [c for c in m["charts"] if c["chart"] == "timeline"]
    if tl:
        c = tl[0]
        ok = c["w"] > 300 and c["h"] > 40 and c["shapes"] >= 3 and \
            m.get("timeline_bbox", [0, 0])[0] > 0
        report(ok, "%s: timeline SVG rendered %dx%d (%d shapes)" % (name, c["w"], c["h"], c["shapes"]),
               json.dumps(c))
    zero = [c for c in m["charts"] if not (c["w"] > 0 and c["h"] > 0)]
    report(not zero, "%s: %d charts all rendered with a size" % (name, len(m["charts"])),
           json.dumps(zero[:3]))
    report(os.path.getsize(png) > 10000, "%s: screenshot %s" % (name, os.path.relpath(png)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chrome", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    ap.add_argument("pages", nargs="+")
    a = ap.parse_args()
    if not a.chrome:
        print("SKIP html: browser: chromium not installed")
        return 0
    netns = shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "--", "true"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL).returncode == 0
    ch = None
    try:
        ch = Chrome(a.chrome, netns)
        ver = ch.call("Browser.getVersion", timeout=60).get("product", "?")
    except Exception as e:
        tail = ch.log_tail() if ch else ""
        if ch:
            ch.close()
        # installed but not working is a failure, not a skip
        report(False, "Chromium starts", "%s %s" % (e, tail.strip()[-200:]))
        return 1
    report(True, "%s started, %s" % (ver, "in a network namespace without network" if netns
                                    else "offline emulation + dead proxy (unshare -n not permitted)"))
    try:
        for p in a.pages:
            try:
                check_page(ch, p)
            except Exception as e:
                report(False, "%s: load" % os.path.basename(p), "%s %s" % (e, ch.log_tail()))
                ch.close()
                ch = Chrome(a.chrome, netns)
                ch.call("Browser.getVersion", timeout=60)
    finally:
        ch.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
