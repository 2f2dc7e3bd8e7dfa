#!/bin/bash
# Bad-input matrix (issue 10, DESIGN.md "Quality bars"): every kind of broken
# evidence a user can hand `stuckscope analyze`, each run beside a good input
# under the sanitizer build with `timeout 60`. One line per case:
#   "ok badinput: CASE" / "FAIL badinput: CASE: why".
# A case fails on a crash or signal, a sanitizer report, a hang, an exit status
# other than 0/2, an input that is not "ok" without a message naming it, a
# missing position (line, packet, offset) where the case asks for one, or the
# good input beside it not read (tests/badinput-check.py judges each run).
#
# Cases: empty, 1 byte, binary garbage; every text kind (one real file each
# from samples/ and ../shared/corpus) cut after every line and in the middle
# of every line; a NUL byte inside each; CRLF (same kind, records and status
# as LF); 10 MB lines; 100 000 files in a directory; symlink loops; files that
# cannot be opened (dangling link; a 0600 root file read as nobody); pcaps with
# a bad magic, a truncated record, snaplen 0, an absurd caplen, an unknown
# link type, a 2 GB sparse tail (RSS bounded); counters going backwards;
# sysctl dumps of two hosts; an --at label naming no input; a 1 GB text file
# (RSS bounded; made in /tmp and deleted); a directory analyzed 20 times while
# a writer truncates and rewrites its files (issue 16: never a signal).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
SHARED=${SHARED:-$(cd .. && pwd)/shared}
BIN=$ROOT/stuckscope
[ -x "$ROOT/build-asan/stuckscope" ] && BIN=$ROOT/build-asan/stuckscope
PY=/usr/bin/python3
CHECK="$PY $ROOT/tests/badinput-check.py"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

ok() { echo "ok badinput: $1"; }
fail() { echo "FAIL badinput: $1${2:+: $2}"; }
if [ ! -x "$BIN" ]; then fail "no $BIN (run make)"; exit 0; fi

T=$(mktemp -d /tmp/stk-badinput.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# the good input given beside every bad one: it must still be read
mkdir -p "$T/good"
GOOD=$T/good/good-ss.txt
cp samples/closewait/ss-04.txt "$GOOD"
chmod 644 "$GOOD"
G="$GOOD=ok,kind:ss"

# an NAME [CHECK-ARGS... --] ANALYZE-ARGS...: run analyze under timeout 60,
# judge it; "ok"/"FAIL" line. RUN_AS may prefix the command (setpriv).
an() {
	local name=$1; shift
	local checks=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do checks+=("$1"); shift; done
	shift
	${RUN_AS:-} timeout -k 5 60 "$BIN" analyze --format json "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	local why
	why=$($CHECK "$T/out" "$T/err" "$rc" "${checks[@]}" 2>&1)
	LAST_OK=0
	if [ -z "$why" ]; then ok "$name"; LAST_OK=1; else fail "$name" "$why"; fi
}

# ---- one real file per text kind
declare -A SRC=(
	[ss]=samples/closewait/ss-04.txt
	[netstat]=samples/closewait/netstat-antp.txt
	[proc-net-tcp]=samples/closewait/proc-net-tcp.txt
	[netstat-s]=samples/closewait/netstat-s-after.txt
	[nstat]=samples/closewait/nstat-after.txt
	[nstat-json]=samples/closewait/nstat-after-json.txt
	[proc-net-netstat]=samples/closewait/proc-net-netstat-after.txt
	[proc-net-snmp]=samples/closewait/proc-net-snmp-after.txt
	[sysctl]=$SHARED/corpus/sysctl/sos-rhcos42-kernel-4.18-sysctl-a.txt
	[gdb]=samples/prefork-c-stripped/gdb-25356-1.txt
	[eu-stack]=samples/prefork-c-stuck/eu-stack-8641-1.txt
	[py-bt]=samples/prefork-condvar-ipv6/pybt-1397-2.txt
	[proc-task]=samples/closewait/proc-task-19550-1.txt
	[proc-limits]=samples/closewait/proc-limits-19550.txt
	[proc-fd]=samples/closewait/proc-fd-19550.txt
	[proc-status]=tests/data/bundle/proc-status.txt
	[bundle]=tests/data/bundle/manifest.json
	[kernel-log]=tests/data/kernlog/journal.txt
)
declare -A KIND=([nstat-json]=nstat)
KINDS="ss netstat proc-net-tcp netstat-s nstat nstat-json proc-net-netstat proc-net-snmp sysctl gdb eu-stack py-bt proc-task proc-limits proc-fd proc-status bundle kernel-log"
[ -f "${SRC[sysctl]}" ] || SRC[sysctl]=samples/closewait/sysctl.txt
mkdir -p "$T/real"
# the pid in the name: a proc-limits or proc-fd dump names its process only there
for k in $KINDS; do
	if [ ! -f "${SRC[$k]}" ]; then
		fail "real $k file ${SRC[$k]} missing"
		continue
	fi
	cp "${SRC[$k]}" "$T/real/$k-19550.txt"
done
# the kind each real file is read as, and its record count (the reference
# for CRLF)
$BIN analyze --format json "$T/real" >"$T/real.json" 2>/dev/null
declare -A REC STATUS
while read -r k kind rec st; do
	REC[$k]=$rec
	STATUS[$k]=$st
	want=${KIND[$k]:-$k}
	# a manifest alone lacks the files it lists: partial, not error
	if [ "$kind" = "$want" ] && { [ "$st" = ok ] || [ "$k/$st" = bundle/partial ]; } && [ "$rec" -gt 0 ]; then
		ok "real $k file is read as $kind ($rec records)"
	else
		fail "real $k file is read as $want" "kind $kind, status $st, $rec records"
	fi
done < <($PY -c '
import json, sys, os
for i in json.load(open(sys.argv[1]))["inputs"]:
    print(os.path.basename(i["path"])[:-10], i["kind"], i["records"], i["status"])' "$T/real.json")

# ---- empty, 1 byte, garbage
mkdir -p "$T/b"
: >"$T/b/empty.txt"
printf 'x' >"$T/b/one-byte.txt"
printf '\0' >"$T/b/one-nul.bin"
head -c 65536 /dev/urandom >"$T/b/garbage.bin"
printf '\xd4\xc3\xb2\xa1garbage after a pcap magic' >"$T/b/pcap-magic-only.bin"
an "empty file: error naming it" "$T/b/empty.txt=error,msg:file is empty" "$G" --rc=0 -- "$T/b/empty.txt" "$GOOD"
an "1 byte: error with its line" "$T/b/one-byte.txt=error,pos" "$G" --rc=0 -- "$T/b/one-byte.txt" "$GOOD"
an "1 NUL byte: error with its offset" "$T/b/one-nul.bin=error,pos" "$G" --rc=0 -- "$T/b/one-nul.bin" "$GOOD"
an "64 KB of random bytes: error with its offset" "$T/b/garbage.bin=error,pos" "$G" --rc=0 -- "$T/b/garbage.bin" "$GOOD"
an "pcap magic then garbage" "$T/b/pcap-magic-only.bin=error,msg:pcap" "$G" --rc=0 -- "$T/b/pcap-magic-only.bin" "$GOOD"
an "only bad inputs: exit 2, each named" "$T/b/empty.txt=error" "$T/b/garbage.bin=error" --rc=2 -- "$T/b/empty.txt" "$T/b/garbage.bin"

# ---- every kind cut after every line and inside every line (one run per
# kind over a directory of prefixes; on a crash, each prefix alone names it)
$PY - "$T/real" "$T/trunc" $KINDS <<'EOF'
import os, sys
real, out, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
for k in kinds:
    p = os.path.join(real, k + "-19550.txt")
    if not os.path.exists(p):
        continue
    data = open(p, "rb").read()
    d = os.path.join(out, k)
    os.makedirs(d)
    lines = data.split(b"\n")
    pos = 0
    for i, l in enumerate(lines[:-1] if data.endswith(b"\n") else lines):
        end = pos + len(l)
        # through line i (with its newline), and half of line i
        open(os.path.join(d, "l%05d.txt" % (i + 1)), "wb").write(data[:end + 1])
        if len(l) > 1:
            open(os.path.join(d, "m%05d.txt" % (i + 1)), "wb").write(data[:pos + len(l) // 2])
        pos = end + 1
    if len(lines) < 40:	# few long lines (JSON, /proc/net/netstat): 64 byte cuts too
        for j in range(1, 65):
            open(os.path.join(d, "b%05d.txt" % j), "wb").write(data[:len(data) * j // 65])
EOF
for k in $KINDS; do
	d=$T/trunc/$k
	[ -d "$d" ] || continue
	n=$(find "$d" -type f | wc -l)
	# partial: a line named (a manifest alone also says which listed files
	# are missing, a fact about the bundle with no line)
	spec=any,ppos
	[ "$k" = bundle ] && spec=any
	an "$k cut at every line ($n prefixes)" "$d/=$spec" "$G" --count=$((n + 1)) -- "$d" "$GOOD"
	if [ "$LAST_OK" = 0 ]; then
		for f in "$d"/*; do
			timeout 60 "$BIN" analyze --format json "$f" >"$T/out1" 2>"$T/err1"
			why=$($CHECK "$T/out1" "$T/err1" $? 2>&1)
			if [ -n "$why" ]; then
				fail "$k cut: first failing prefix $(basename "$f")" "$why"
				cp "$f" "/tmp/stk-badinput-$k-$(basename "$f")"
				break
			fi
		done
	fi
	rm -rf "$d"
done

# ---- a NUL byte inside the text: in the first line, and in the middle line
$PY - "$T/real" "$T/nul" $KINDS <<'EOF'
import os, sys
real, out, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(out)
for k in kinds:
    p = os.path.join(real, k + "-19550.txt")
    if not os.path.exists(p):
        continue
    lines = open(p, "rb").read().split(b"\n")
    for tag, i in (("first", 0), ("middle", len(lines) // 2)):
        ls = list(lines)
        while i < len(ls) - 1 and len(ls[i]) < 2:
            i += 1
        ls[i] = ls[i][:len(ls[i]) // 2] + b"\0" + ls[i][len(ls[i]) // 2:]
        open(os.path.join(out, "%s-nul-%s-19550.txt" % (k, tag)), "wb").write(b"\n".join(ls))
EOF
for k in $KINDS; do
	for tag in first middle; do
		f=$T/nul/$k-nul-$tag-19550.txt
		[ -f "$f" ] || continue
		an "$k with a NUL byte in its $tag line: named with its position" "$f=any,pos" "$G" --rc=0 -- "$f" "$GOOD"
	done
done

# ---- CRLF line endings: same kind, records and status as the LF file
mkdir -p "$T/crlf"
for k in $KINDS; do
	[ -f "$T/real/$k-19550.txt" ] || continue
	sed 's/$/\r/' "$T/real/$k-19550.txt" >"$T/crlf/$k-19550.txt"
	an "$k with CRLF line endings reads like LF" \
		"$T/crlf/$k-19550.txt=${STATUS[$k]:-ok},kind:${KIND[$k]:-$k},records:${REC[$k]:-0}" "$G" --rc=0 -- "$T/crlf/$k-19550.txt" "$GOOD"
done

# ---- 10 MB lines: inside a text file (the rest still read), alone, no newline
$PY - "$T/real" "$T/long" <<'EOF'
import os, sys
real, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
big = b"x" * (10 << 20)
for k in ("ss", "sysctl", "gdb", "netstat-s", "proc-net-tcp"):
    lines = open(os.path.join(real, k + "-19550.txt"), "rb").read().split(b"\n")
    lines.insert(min(5, len(lines) - 1), big)
    open(os.path.join(out, k + "-10mb-line.txt"), "wb").write(b"\n".join(lines))
lines = open(os.path.join(real, "sysctl-19550.txt"), "rb").read().split(b"\n")
lines.insert(3, b"net.core.somaxconn = " + big)
open(os.path.join(out, "sysctl-10mb-value.txt"), "wb").write(b"\n".join(lines))
open(os.path.join(out, "one-10mb-line-no-newline.txt"), "wb").write(big)
open(os.path.join(out, "ss-header-10mb-no-newline.txt"), "wb").write(
    b"State Recv-Q Send-Q Local Address:Port Peer Address:Port\nESTAB 0 0 " + big)
EOF
for k in ss sysctl gdb netstat-s proc-net-tcp; do
	f=$T/long/$k-10mb-line.txt
	an "$k with a 10 MB line: the line named, the rest read" "$f=partial,pos,records>=$((${REC[$k]:-1} - 1))" "$G" --rc=0 -- "$f" "$GOOD"
done
an "sysctl with a 10 MB value" "$T/long/sysctl-10mb-value.txt=okp,pos" "$G" --rc=0 -- "$T/long/sysctl-10mb-value.txt" "$GOOD"
an "one 10 MB line, no newline" "$T/long/one-10mb-line-no-newline.txt=any,pos" "$G" --rc=0 -- "$T/long/one-10mb-line-no-newline.txt" "$GOOD"
an "ss header then a 10 MB row, no newline" "$T/long/ss-header-10mb-no-newline.txt=any,pos" "$G" --rc=0 -- "$T/long/ss-header-10mb-no-newline.txt" "$GOOD"
rm -rf "$T/long"

# ---- 100 000 files in a directory: finishes, lists every one
$PY -c '
import os, sys
d = sys.argv[1]
os.makedirs(d)
for i in range(100000):
    with open(os.path.join(d, "s%06d.txt" % i), "w") as f:
        f.write("net.ipv4.tcp_syn_retries = %d\n" % (i % 7))' "$T/many"
an "100 000 files in a directory: every one listed" "$T/many/=ok,kind:sysctl" "$G" --count=100001 --rc=0 -- "$T/many" "$GOOD"
rm -rf "$T/many"

# ---- symlink loops: a directory loop, a link to itself, two links to each other
mkdir -p "$T/loop/a/b"
ln -s ../.. "$T/loop/a/b/up"
ln -s self "$T/loop/self"
ln -s q "$T/loop/p"
ln -s p "$T/loop/q"
cp "$T/real/sysctl-19550.txt" "$T/loop/a/b/sysctl.txt"
an "symlink loops in a directory: each named, the rest read" \
	"$T/loop/self=error,msg:symbolic links" "$T/loop/p=error,msg:symbolic links" \
	"$T/loop/q=error,msg:symbolic links" "$T/loop/a/b/sysctl.txt=ok,kind:sysctl" "$G" --rc=0 -- "$T/loop" "$GOOD"
an "a self-link given directly" "$T/loop/self=error,msg:symbolic links" "$G" --rc=0 -- "$T/loop/self" "$GOOD"

# ---- files that cannot be opened
mkdir -p "$T/unread"
ln -s /nonexistent/stuckscope-evidence "$T/unread/dangling.txt"
an "dangling symlink in a directory" "$T/unread/dangling.txt=error,msg:No such file" "$G" --rc=0 -- "$T/unread" "$GOOD"
an "dangling symlink given directly" "$T/unread/dangling.txt=error,msg:No such file" "$G" --rc=0 -- "$T/unread/dangling.txt" "$GOOD"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$T/priv/closed"
	cp "$T/real/sysctl-19550.txt" "$T/priv/secret.txt"
	cp "$T/real/sysctl-19550.txt" "$T/priv/closed/inner.txt"
	chmod 600 "$T/priv/secret.txt"
	chmod 700 "$T/priv/closed"
	chmod 755 "$T/priv"
	# (stdout/stderr are opened by this root shell before setpriv runs)
	RUN_AS="setpriv --reuid=65534 --regid=65534 --clear-groups" \
		an "a 0600 root file and a 0700 directory, read as nobody" \
		"$T/priv/secret.txt=error,msg:Permission denied" "$T/priv/closed=error,msg:Permission denied" \
		"$G" --rc=0 -- "$T/priv" "$GOOD"
else
	echo "SKIP badinput: unreadable file as another user (needs root and setpriv)"
fi

# ---- pcaps: bad magic, truncated record, snaplen 0, absurd caplen, unknown
# link type, a 2 GB sparse tail
PCAP=samples/closewait/capture.pcap
mkdir -p "$T/pcap"
NPKT=$($PY - "$PCAP" "$T/pcap" <<'EOF'
import struct, sys, os
d = open(sys.argv[1], "rb").read()
o = sys.argv[2]
hdr, body = d[:24], d[24:]
w = lambda n, b: open(os.path.join(o, n), "wb").write(b)
w("bad-magic.pcap", b"\xef\xbe\xad\xde" + d[4:])
w("truncated-record.pcap", d[:len(d) // 2 + 7])
w("truncated-header.pcap", d[:20])
w("snaplen0.pcap", hdr[:16] + struct.pack("<I", 0) + hdr[20:] + body)
w("linktype-147.pcap", hdr[:20] + struct.pack("<I", 147) + body)
w("linktype-65535.pcap", hdr[:20] + struct.pack("<I", 65535) + body)
ts, tu, cl, ol = struct.unpack("<IIII", body[:16])
w("caplen-2g.pcap", hdr + struct.pack("<IIII", ts, tu, 0x7fffffff, ol) + body[16:])
w("sparse-2g.pcap", d)
n, p = 0, 0
while len(body) - p >= 16:
    n += 1
    p += 16 + struct.unpack("<I", body[p + 8:p + 12])[0]
print(n)
EOF
)
P=$T/pcap
an "pcap with a bad magic: error at offset 0" "$P/bad-magic.pcap=error,pos" "$G" --rc=0 -- "$P/bad-magic.pcap" "$GOOD"
an "pcap cut inside a record: packets before it read, packet named" \
	"$P/truncated-record.pcap=partial,pos,kind:pcap,records>=1" "$G" --rc=0 -- "$P/truncated-record.pcap" "$GOOD"
an "pcap cut inside its file header" "$P/truncated-header.pcap=error" "$G" --rc=0 -- "$P/truncated-header.pcap" "$GOOD"
an "pcap with snaplen 0: every packet read" "$P/snaplen0.pcap=okp,kind:pcap,records:$NPKT" "$G" --rc=0 -- "$P/snaplen0.pcap" "$GOOD"
an "pcap with a 2 GB caplen: packet named" "$P/caplen-2g.pcap=error,pos" "$G" --rc=0 -- "$P/caplen-2g.pcap" "$GOOD"
an "pcap with link type 147: named" "$P/linktype-147.pcap=error,msg:link type" "$G" --rc=0 -- "$P/linktype-147.pcap" "$GOOD"
an "pcap with link type 65535: named" "$P/linktype-65535.pcap=error,msg:link type" "$G" --rc=0 -- "$P/linktype-65535.pcap" "$GOOD"
truncate -s 2G "$P/sparse-2g.pcap"
/usr/bin/time -f '%M %e' -o "$T/time" timeout -k 5 60 "$BIN" analyze --format json "$P/sparse-2g.pcap" "$GOOD" >"$T/out" 2>"$T/err"
rc=$?
read -r rss secs <"$T/time" 2>/dev/null || { rss=0; secs=0; }
why=$($CHECK "$T/out" "$T/err" "$rc" "$P/sparse-2g.pcap=partial,pos,kind:pcap,records>=$NPKT,msg:zero-filled" "$G" --rc=0 2>&1)
[ -z "$why" ] && [ "${rss:-0}" -gt 200000 ] && why="RSS $rss KB > 200 MB: the capture is read into memory"
if [ -z "$why" ]; then ok "2 GB sparse pcap: zero-filled tail named, RSS ${rss} KB, ${secs} s"; else fail "2 GB sparse pcap" "$why"; fi
rm -f "$P/sparse-2g.pcap"

# ---- counters that go backwards (a reboot between snapshots): no delta
mkdir -p "$T/back"
for s in netstat-s proc-net-netstat nstat; do
	# the larger values first: the content's own timestamp lines go, --at orders them
	sed '1{/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T/d}' samples/backlog5/$s-after.txt >"$T/back/$s-1.txt"
	sed '1{/^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T/d}' samples/backlog5/$s-before.txt >"$T/back/$s-2.txt"
	an "$s counters going backwards: flagged, no negative delta, no overflow" --backwards "$G" --rc=0 -- \
		--at "$s-1.txt=2026-01-01T00:00:00Z" --at "$s-2.txt=2026-01-01T00:05:00Z" \
		"$T/back/$s-1.txt" "$T/back/$s-2.txt" "$GOOD"
done

# ---- snapshots of two hosts in one directory
mkdir -p "$T/hosts"
grep -v '^kernel.hostname' "$T/real/sysctl-19550.txt" >"$T/hosts/base"
{ echo "kernel.hostname = web-1"; cat "$T/hosts/base"; } >"$T/hosts/sysctl-a.txt"
{ echo "kernel.hostname = db-7"; cat "$T/hosts/base"; } >"$T/hosts/sysctl-b.txt"
rm "$T/hosts/base"
an "sysctl dumps of two hosts: the report names both" "$T/hosts/sysctl-a.txt=ok" "$T/hosts/sysctl-b.txt=ok" \
	"--note=different hosts: 'web-1'" "--note='db-7'" "$G" --rc=0 -- "$T/hosts" "$GOOD"
cp "$T/hosts/sysctl-a.txt" "$T/hosts/sysctl-b.txt"
an "sysctl dumps of one host: no such note" "--nonote=different hosts" "$G" --rc=0 -- "$T/hosts" "$GOOD"

# ---- an --at label naming no input
an "--at for a file not given: said, the rest analyzed" "--note=--at nothere.txt" "$G" --rc=0 -- \
	--at nothere.txt=2026-01-01T00:00:00Z "$GOOD"
an "--at for a file dated by its first line: said" "--note=--at good-ss.txt: the file is dated" "$G" --rc=0 -- \
	--at good-ss.txt=2026-01-01T00:00:00Z "$GOOD"

# ---- a 1 GB text file (ss rows): bounded memory and time; deleted at once
$PY - "$T/big-ss.txt" <<'EOF'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(b"State Recv-Q Send-Q Local Address:Port Peer Address:Port\n")
    chunk = b"".join(b"ESTAB 0 0 10.0.0.1:8000 10.0.0.2:%d\n" % (p % 60000 + 1024)
                     for p in range(100000))
    n = 0
    while n < 1 << 30:
        f.write(chunk)
        n += len(chunk)
EOF
/usr/bin/time -f '%M %e' -o "$T/time" timeout -k 5 60 "$BIN" analyze --format json "$T/big-ss.txt" "$GOOD" >"$T/out" 2>"$T/err"
rc=$?
rm -f "$T/big-ss.txt"
read -r rss secs <"$T/time" 2>/dev/null || { rss=0; secs=0; }
why=$($CHECK "$T/out" "$T/err" "$rc" "$T/big-ss.txt=partial,pos,kind:ss,msg:is not read" "$G" --rc=0 2>&1)
[ -z "$why" ] && [ "${rss:-0}" -gt 2500000 ] && why="RSS $rss KB > 2.5 GB: memory grows with the file"
if [ -z "$why" ]; then ok "1 GB ss file: cut at the row limit, named; RSS ${rss} KB, ${secs} s"; else fail "1 GB ss file" "$why"; fi
# ---- files that change while they are read: 20 analyze runs of a directory
# whose files a writer truncates and rewrites all the time; inputs were
# mmap'd once and a truncation killed the run with SIGBUS (issue 16)
mkdir -p "$T/changing"
for i in 1 2 3 4; do cp samples/prefork-condvar-w4/ss-0$i.txt "$T/changing/ss-$i.txt"; done
$PY - "$T/changing" <<'EOF' &
import os, sys, time
d = sys.argv[1]
big = open(os.path.join(d, "ss-1.txt"), "rb").read() * 200
end = time.time() + 60
while time.time() < end and os.path.isdir(d):
    for i in (1, 2, 3, 4):
        p = os.path.join(d, "ss-%d.txt" % i)
        try:
            with open(p, "r+b") as f:
                f.truncate(0)
                f.write(big[: (len(big) * i) // 5])
                f.truncate(len(big) // (i + 1))
        except OSError:
            pass
EOF
writer=$!
signals=0 runs=0 bad=""
for r in $(seq 20); do
	timeout -k 5 60 "$BIN" analyze --format json "$T/changing" >"$T/out" 2>"$T/err"
	rc=$?
	runs=$((runs + 1))
	if [ $rc -ge 124 ]; then signals=$((signals + 1)); bad="run $r exit $rc: $(tail -c 300 "$T/err")"; fi
	$PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null || bad="${bad:-run $r: no JSON report}"
done
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
if [ -z "$bad" ]; then ok "files truncated while read: $runs runs, $signals signals, a report each time"; else fail "files truncated while read" "$bad"; fi
exit 0

