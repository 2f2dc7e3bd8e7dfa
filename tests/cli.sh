#!/bin/bash
# CLI behaviour a user and a script rely on: exit status (0 ran, 1 usage,
# 2 nothing readable), messages "stuckscope: FILE:LINE: ...", bad inputs that
# never crash or hang, hostile strings escaped in every format.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${BIN:-./stuckscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok cli $1"; }
fail() { echo "FAIL cli $1${2:+: $2}"; }
# expect NAME RC CMD...: run with a timeout, compare the exit status
expect_rc() {
	local name=$1 want=$2; shift 2
	timeout 30 "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else fail "$name" "exit $rc, want $want; $(head -c 300 "$tmp/err")"; fi
}
grep_err() { if grep -qF -- "$2" "$tmp/err"; then ok "$1"; else fail "$1" "stderr lacks '$2': $(head -c 300 "$tmp/err")"; fi; }
grep_out() { if grep -qF -- "$2" "$tmp/out"; then ok "$1"; else fail "$1" "stdout lacks '$2'"; fi; }

expect_rc "no arguments is a usage error" 1 $bin
expect_rc "analyze without inputs is a usage error" 1 $bin analyze
expect_rc "unknown format is a usage error" 1 $bin analyze --format xml samples/backlog5
grep_err "unknown format names the option" "--format: expected text, html or json"
expect_rc "bad --at is a usage error" 1 $bin analyze --at foo=yesterday samples/backlog5
expect_rc "--version" 0 $bin --version
grep_out "--version prints the version" "stuckscope $(cat VERSION)"
expect_rc "rules" 0 $bin rules
for id in accept-queue-overflow backlog-too-small close-wait-accumulation unread-receive-queue syn-flood healthy; do
	grep_out "rules documents $id" "$id"
done

expect_rc "missing file: nothing readable" 2 $bin analyze "$tmp/nope.txt"
grep_err "missing file message" "stuckscope: $tmp/nope.txt: cannot read file: No such file or directory"
: > "$tmp/empty.txt"
expect_rc "empty file: nothing readable" 2 $bin analyze "$tmp/empty.txt"
grep_err "empty file message" "$tmp/empty.txt: file is empty"
head -c 4096 /dev/urandom > "$tmp/garbage.bin"
printf '\x00\x01\x02garbage' >> "$tmp/garbage.bin"
expect_rc "binary garbage: nothing readable" 2 $bin analyze "$tmp/garbage.bin"
grep_err "binary garbage message" "not a recognised evidence format"
mkfifo "$tmp/fifo"
expect_rc "a FIFO does not hang" 2 $bin analyze "$tmp/fifo"
grep_err "a FIFO is named" "not a regular file (a FIFO)"

# one good input among bad ones: the run goes on and lists what failed
cp samples/backlog5/ss-03.txt "$tmp/good-ss.txt"
expect_rc "good input among bad ones runs" 0 $bin analyze --format json "$tmp/good-ss.txt" "$tmp/garbage.bin" "$tmp/empty.txt" "$tmp/nope.txt"
if /usr/bin/python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = {i["path"].rsplit("/", 1)[-1]: (i["status"], i["kind"], i["messages"]) for i in d["inputs"]}
assert st["good-ss.txt"][0] == "ok" and st["good-ss.txt"][1] == "ss", st
for f in ("garbage.bin", "empty.txt", "nope.txt"):
    assert st[f][0] == "error" and st[f][2], (f, st[f])
PY
then ok "inputs[] lists each failure with a message"; else fail "inputs[] lists each failure with a message"; fi

# truncated real file: every prefix of an ss snapshot parses without a crash
src=samples/prefork-condvar-w4/ss-05.txt
n=$(wc -l < "$src")
bad=0
for k in $(seq 1 7 "$n"); do
	head -n "$k" "$src" | head -c -3 > "$tmp/trunc.txt"
	timeout 10 $bin analyze --format json "$tmp/trunc.txt" > /dev/null 2>&1; rc=$?
	[ "$rc" -le 2 ] || bad=$((bad + 1))
done
[ $bad = 0 ] && ok "truncated ss snapshots never crash" || fail "truncated ss snapshots never crash" "$bad crashed"

# hostile process names: markup, quotes, ANSI escapes, newline-ish bytes
esc=$(printf '\033')
{
	echo "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process"
	echo "LISTEN 0      5      127.0.0.1:8000     0.0.0.0:*         users:((\"<script>alert(1)</script>\",pid=10,fd=3),(\"a\\\"b${esc}[31mred\",pid=11,fd=3))"
	for i in 1 2 3 4 5 6; do
		echo "CLOSE-WAIT 1 0 127.0.0.1:8000 127.0.0.1:5000$i users:((\"<script>alert(1)</script>\",pid=10,fd=$((i + 3))))"
	done
} > "$tmp/hostile-ss.txt"
expect_rc "hostile comm: text" 0 $bin analyze --format text "$tmp/hostile-ss.txt"
if grep -q "$esc" "$tmp/out"; then fail "hostile comm: no raw ESC in text"; else ok "hostile comm: no raw ESC in text"; fi
expect_rc "hostile comm: html" 0 $bin analyze --format html "$tmp/hostile-ss.txt"
if grep -q "<script>" "$tmp/out"; then fail "hostile comm: escaped in html"; else ok "hostile comm: escaped in html"; fi
expect_rc "hostile comm: json" 0 $bin analyze --format json "$tmp/hostile-ss.txt"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("<script>" in p["comm"] for p in d["processes"])' "$tmp/out"; then
	ok "hostile comm: valid json keeps the name"; else fail "hostile comm: valid json keeps the name"; fi

# a 10 MB line, and a directory of 3000 files, finish
{ echo "State Recv-Q Send-Q Local Address:Port Peer Address:Port"; head -c 10000000 /dev/zero | tr '\0' 'x'; echo; } > "$tmp/long.txt"
# its one row is not a socket: a header alone with every row rejected is not read (issue 14)
expect_rc "10 MB line does not crash" 2 $bin analyze --format json "$tmp/long.txt"
grep_err "10 MB line: one stderr line says nothing was read" "nothing of the file was read"
mkdir -p "$tmp/many"
for i in $(seq 1 3000); do echo "net.core.somaxconn = $i" > "$tmp/many/s$i.txt"; done
expect_rc "3000 files in a directory" 0 $bin analyze -q "$tmp/many"
mkdir -p "$tmp/loop/a"; ln -s .. "$tmp/loop/a/up"
cp samples/backlog5/sysctl.txt "$tmp/loop/a/"
expect_rc "symlink loop terminates" 0 $bin analyze -q "$tmp/loop"

# totals that go backwards (a reboot between snapshots) are not a delta;
# the command lines say these are totals (nstat -a)
printf '$ nstat -az\n#kernel\nTcpExtListenOverflows 500 0.0\nTcpExtListenDrops 500 0.0\n' > "$tmp/n1.txt"
printf '$ nstat -az\n#kernel\nTcpExtListenOverflows 3 0.0\nTcpExtListenDrops 3 0.0\n' > "$tmp/n2.txt"
expect_rc "counters backwards" 0 $bin analyze --format json --at n1.txt=2026-01-01T00:00:00Z --at n2.txt=2026-01-01T00:01:00Z "$tmp/n1.txt" "$tmp/n2.txt"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["counters"]["ListenOverflows"]; assert c["went_backwards"] and c["delta"]==0, c; assert not any(f["rule"]=="accept-queue-overflow" and f["severity"]=="critical" for f in d["findings"])' "$tmp/out"; then
	ok "counters going backwards give no overflow"; else fail "counters going backwards give no overflow"; fi
# without a mark of their mode, the same outputs are nstat's default mode
# (increments since the run before: misc/nstat.c), not a reboot: the
# second run's values are the change (derive.c nstat_modes())
printf '#kernel\nTcpExtListenOverflows 500 0.0\nTcpExtListenDrops 500 0.0\n' > "$tmp/n1.txt"
printf '#kernel\nTcpExtListenOverflows 3 0.0\nTcpExtListenDrops 3 0.0\n' > "$tmp/n2.txt"
expect_rc "nstat default mode" 0 $bin analyze --format json --at n1.txt=2026-01-01T00:00:00Z --at n2.txt=2026-01-01T00:01:00Z "$tmp/n1.txt" "$tmp/n2.txt"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["counters"]["ListenOverflows"]; assert c.get("increments") and c["delta"]==3 and not c["went_backwards"], c' "$tmp/out"; then
	ok "unmarked nstat pair read as increments"; else fail "unmarked nstat pair read as increments"; fi

# one stderr line per file not fully read, not one per bad row (DESIGN.md,
# contracts); -v one per diagnostic; -q none
{
	echo "State Recv-Q Send-Q Local Address:Port Peer Address:Port"
	echo "LISTEN 0 5 127.0.0.1:8000 0.0.0.0:*"
	for i in 1 2 3 4 5; do echo "LISTEN x 5 127.0.0.1:800$i 0.0.0.0:*"; done
} > "$tmp/bad-rows.txt"
expect_rc "bad rows: the rest is read" 0 $bin analyze "$tmp/bad-rows.txt"
[ "$(grep -c 'bad-rows.txt' "$tmp/err")" = 1 ] && ok "bad rows: one stderr line for the file" ||
	fail "bad rows: one stderr line for the file" "$(head -c 300 "$tmp/err")"
grep_err "bad rows: the line says where and how many" "bad-rows.txt:3: not a number: Recv-Q 'x' (problems on 5 lines; the rest was read"
expect_rc "bad rows -v" 0 $bin analyze -v "$tmp/bad-rows.txt"
[ "$(grep -c 'bad-rows.txt' "$tmp/err")" = 5 ] && ok "-v: one stderr line per diagnostic" ||
	fail "-v: one stderr line per diagnostic" "$(head -c 300 "$tmp/err")"
expect_rc "bad rows -q" 0 $bin analyze -q "$tmp/bad-rows.txt"
[ -s "$tmp/err" ] && fail "-q: nothing on stderr" "$(head -c 300 "$tmp/err")" || ok "-q: nothing on stderr"

expect_rc "-q prints one line" 0 $bin analyze -q samples/backlog5
[ "$(wc -l < "$tmp/out")" = 1 ] && ok "-q output is one line" || fail "-q output is one line"

# stuckscope's own reports beside the evidence (watch/attach bundles) are skipped, not errors
mkdir -p "$tmp/bundle"
cp samples/closewait/ss-04.txt "$tmp/bundle/"
$bin analyze "$tmp/bundle" > "$tmp/report.txt" 2>/dev/null
$bin analyze --format json "$tmp/bundle" > "$tmp/report.json" 2>/dev/null
mv "$tmp/report.txt" "$tmp/report.json" "$tmp/bundle/"
expect_rc "own reports in a bundle" 0 $bin analyze --format json "$tmp/bundle"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s={i["path"].rsplit("/",1)[-1]:(i["kind"],i["status"]) for i in d["inputs"]}; assert s["report.txt"]==("skipped","ok") and s["report.json"]==("skipped","ok"), s' "$tmp/out"; then
	ok "own text and JSON reports are listed as skipped"; else fail "own text and JSON reports are listed as skipped"; fi

# ---- evidence that arrives packed or piped (issue 18): a tarball of a sample
# directory gives the diagnosis the directory gives (tar keeps the mtimes);
# one gzip'd file; any text on stdin
tar -C samples -czf "$tmp/w4.tar.gz" prefork-condvar-w4
$bin analyze --format json samples/prefork-condvar-w4 > "$tmp/dir.json" 2>/dev/null
expect_rc "analyze a .tar.gz of a sample" 0 $bin analyze --format json "$tmp/w4.tar.gz"
if /usr/bin/python3 - "$tmp/dir.json" "$tmp/out" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
root = lambda d: next((f["rule"], sorted(f["pids"])) for f in d["findings"] if f["id"] == d["root_cause"])
assert (a["verdict"], root(a)) == (b["verdict"], root(b)), (a["verdict"], root(a), b["verdict"], root(b))
assert a["counters"] == b["counters"], "counters differ"
ka = sorted(i["kind"] for i in a["inputs"]); kb = sorted(i["kind"] for i in b["inputs"] if i["kind"] != "archive")
assert ka == kb, (ka, kb)
PY
then ok "the tarball is diagnosed as the directory is"; else fail "the tarball is diagnosed as the directory is"; fi
gzip -c samples/prefork-condvar-w4/ss-05.txt > "$tmp/ss-05.txt.gz"
expect_rc "analyze one gzip'd file" 0 $bin analyze --format json "$tmp/ss-05.txt.gz"
grep_out "the gzip'd file is read as ss" '"kind": "ss"'
expect_rc "ss on stdin" 0 $bin analyze --format json - < samples/prefork-condvar-w4/ss-05.txt
grep_out "stdin text is read as ss" '"kind": "ss"'
expect_rc "a capture on stdin" 0 $bin analyze --format json - < samples/prefork-condvar-w4/capture.pcap
grep_out "stdin capture is read as pcap" '"kind": "pcap"'
expect_rc "nothing on stdin" 2 $bin analyze - < /dev/null
head -c 20000 "$tmp/w4.tar.gz" > "$tmp/cut.tar.gz"
expect_rc "a cut tarball: what it held is read" 0 $bin analyze --format json "$tmp/cut.tar.gz"
grep_out "a cut tarball is named partial or in error" 'archive damaged or cut'
mkdir -p "$tmp/lnk"; ln -s /etc/passwd "$tmp/lnk/passwd"; cp samples/closewait/ss-01.txt "$tmp/lnk/"
tar -C "$tmp" -czf "$tmp/lnk.tar.gz" lnk
expect_rc "a tarball with a symlink" 0 $bin analyze --format json "$tmp/lnk.tar.gz"
grep_out "its symlink is not followed" 'links or devices not followed'
